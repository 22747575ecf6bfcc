import { describe, expect, it } from 'vitest';
import { DEFAULT_CONCURRENCY, HELP, parseCliArgs } from '../../../src/cli/options.js';
import { UsageError } from '../../../src/errors.js';

function run(argv: string[]) {
  const parsed = parseCliArgs(argv);
  if (parsed.kind !== 'run') throw new Error(`expected a run, got ${parsed.kind}`);
  return parsed.options;
}

describe('dnsctl check options', () => {
  it('defaults: SOA over TCP only, 5 s timeout, the common concurrency, text', () => {
    expect(run(['check', 'dnsctl.yaml'])).toMatchObject({ command: 'check', configPath: 'dnsctl.yaml', axfr: false, udp: false, zone: null, timeoutSeconds: 5, concurrency: DEFAULT_CONCURRENCY, output: 'text' });
  });

  it('takes --axfr --udp --zone --timeout (fractions too) --concurrency --output --log-level', () => {
    expect(run(['check', 'c.yaml', '--axfr', '--udp', '--zone', 'example.com', '--timeout', '0.5', '--concurrency', '8', '--output', 'markdown', '--log-level', 'info'])).toMatchObject({
      axfr: true,
      udp: true,
      zone: 'example.com',
      timeoutSeconds: 0.5,
      concurrency: 8,
      output: 'markdown',
      logLevel: 'info',
    });
  });

  it('refuses options about the Cloudflare API, and bad timeouts', () => {
    for (const flag of [['--state', 'x'], ['--api-url', 'http://x'], ['--rate', 'off'], ['--detailed-exitcode']]) {
      expect(() => run(['check', 'c.yaml', ...flag])).toThrow(UsageError);
    }
    expect(() => run(['check', 'c.yaml', '--timeout', '0'])).toThrow('--timeout takes seconds from 0.1 to 600, got "0"');
    expect(() => run(['check', 'c.yaml', '--timeout', 'soon'])).toThrow(UsageError);
  });

  it('other commands do not take the check options, and keep whole-second timeouts', () => {
    expect(() => run(['plan', 'c.yaml', '--axfr'])).toThrow('--axfr does not apply to dnsctl plan');
    expect(() => run(['plan', 'c.yaml', '--timeout', '0.5'])).toThrow(UsageError);
  });

  it('is in the help', () => {
    expect(HELP.main).toContain('dnsctl check <config>');
    expect(HELP.check).toContain('--axfr');
    expect(parseCliArgs(['check', '--help'])).toEqual({ kind: 'help', command: 'check', asked: true });
  });
});
