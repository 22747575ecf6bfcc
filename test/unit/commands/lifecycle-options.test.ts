import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../../src/cli/options.js';
import { parseConfig } from '../../../src/config/parse.js';
import { validateConfig } from '../../../src/config/validate.js';
import { UsageError } from '../../../src/errors.js';

const ACCOUNT = '01a7362d577a6c3019a474fd6f485823';

function options(argv: string[]) {
  const parsed = parseCliArgs(argv);
  if (parsed.kind !== 'run') throw new Error(`not a run: ${parsed.kind}`);
  return parsed.options;
}

describe('import, --yes and --allow-deletes on the command line', () => {
  it('import takes --out as its config path, and --secrets-out, --account-id, --state', () => {
    expect(options(['import', '--out', 'dns.yaml', '--secrets-out', 's.env', '--account-id', ACCOUNT, '--state', 'st.json'])).toMatchObject({
      command: 'import',
      configPath: 'dns.yaml',
      planOut: null,
      secretsOut: 's.env',
      accountId: ACCOUNT,
      statePath: 'st.json',
    });
    expect(() => options(['import'])).toThrow(new UsageError('dnsctl import needs --out FILE: where to write the config'));
    expect(() => options(['import', 'x.yaml', '--out', 'y.yaml'])).toThrow(/unexpected argument "x.yaml"/);
    expect(() => options(['import', '--out', 'y.yaml', '--account-id', 'nope'])).toThrow(/--account-id takes the 32 lowercase hexadecimal/);
    expect(() => options(['import', '--out', 'y.yaml', '--yes'])).toThrow('--yes does not apply to dnsctl import');
  });

  it('apply takes --yes (-y) and --allow-deletes N; plan takes neither', () => {
    expect(options(['apply', 'c.yaml'])).toMatchObject({ yes: false, allowDeletes: null });
    expect(options(['apply', 'c.yaml', '-y', '--allow-deletes', '12'])).toMatchObject({ yes: true, allowDeletes: 12 });
    expect(() => options(['apply', 'c.yaml', '--allow-deletes', '-1'])).toThrow(/--allow-deletes/);
    expect(() => options(['apply', 'c.yaml', '--allow-deletes', 'many'])).toThrow('--allow-deletes takes a whole number from 0 to 1000000, got "many"');
    expect(() => options(['plan', 'c.yaml', '--yes'])).toThrow('--yes does not apply to dnsctl plan');
    expect(() => options(['plan', 'c.yaml', '--allow-deletes', '3'])).toThrow('--allow-deletes does not apply to dnsctl plan');
  });
});

describe('max_deletes in the config', () => {
  const load = (line: string) => validateConfig(parseConfig('c.yaml', `version: 1\naccount_id: "${ACCOUNT}"\n${line}\n`), {});

  it('is read into the desired state', () => {
    const result = load('max_deletes: 10');
    expect(result.valid && result.desired.maxDeletes).toBe(10);
    const without = load('peers: []');
    expect(without.valid && without.desired.maxDeletes).toBeUndefined();
  });

  it('must be a whole number of at least 0', () => {
    for (const bad of ['max_deletes: -1', 'max_deletes: 2.5', 'max_deletes: "3"']) {
      const result = load(bad);
      expect(result.valid, bad).toBe(false);
      expect(result.problems.map((p) => `${p.line}:${p.path}`)).toEqual(['3:max_deletes']);
    }
  });
});
