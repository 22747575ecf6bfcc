import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../../src/cli/options.js';

function usageError(argv: string[]): string {
  try {
    parseCliArgs(argv);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

describe('unknown commands and options', () => {
  it('suggests the command a typo was meant to be', () => {
    expect(usageError(['plna', 'c.yaml'])).toBe('unknown command "plna" (did you mean "plan"?); the commands are validate, plan, apply, import, check. See dnsctl --help');
    expect(usageError(['aply', 'c.yaml'])).toContain('(did you mean "apply"?)');
  });

  it('suggests the option a typo was meant to be, also written --name=value', () => {
    expect(usageError(['apply', 'c.yaml', '--concurency', '8'])).toBe(
      `Unknown option '--concurency' (did you mean "--concurrency"?). See dnsctl --help`,
    );
    expect(usageError(['plan', 'c.yaml', '--detailed-exitcod'])).toContain('(did you mean "--detailed-exitcode"?)');
    expect(usageError(['plan', 'c.yaml', '--outptu=json'])).toContain('(did you mean "--output"?)');
  });

  it('suggests nothing when nothing is close', () => {
    expect(usageError(['frobnicate', 'c.yaml'])).toBe('unknown command "frobnicate"; the commands are validate, plan, apply, import, check. See dnsctl --help');
    expect(usageError(['plan', 'c.yaml', '--frobnicate'])).toBe(`Unknown option '--frobnicate'. See dnsctl --help`);
  });
});

describe('defaults', () => {
  it('runs 8 requests at once unless told otherwise (the budget is the pacer’s job)', () => {
    const parsed = parseCliArgs(['apply', 'c.yaml']);
    expect(parsed.kind === 'run' && parsed.options.concurrency).toBe(8);
    expect(parsed.kind === 'run' && parsed.options.rate).toEqual({ requests: 1200, perSeconds: 300 });
  });
});
