import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, type LoadedConfig } from '../../../src/config/index.js';
import { ConfigError, formatProblem, type Problem } from '../../../src/errors.js';
import { Secret } from '../../../src/secret.js';

const VALID = fileURLToPath(new URL('../../fixtures/valid/', import.meta.url));
const ACCOUNT = '01a7362d577a6c3019a474fd6f485823';

let tempDir: string | undefined;
afterEach(() => {
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  tempDir = undefined;
});

function writeTemp(text: string): string {
  tempDir ??= mkdtempSync(join(tmpdir(), 'dnsctl-load-'));
  const path = join(tempDir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, text);
  return path;
}

async function problemsOf(path: string, env: NodeJS.ProcessEnv = {}): Promise<Problem[]> {
  const error = await loadConfig(path, env).then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems;
}

/** The resources with secrets revealed, to compare whole values. */
function revealed(loaded: LoadedConfig) {
  return loaded.desired.resources.map((r) => ({
    ...r,
    values: Object.fromEntries(Object.entries(r.values).map(([k, v]) => [k, v instanceof Secret ? { secret: v.reveal() } : v])),
  }));
}

describe('loadConfig on valid files', () => {
  it('loads every kind with all fields, defaults filled in, TSIGs first, secrets wrapped', async () => {
    const path = join(VALID, 'full.yaml');
    const loaded = await loadConfig(path, {
      ACCOUNT,
      TSIG_CUSTOMER_SECRET: 'Y3VzdG9tZXItc2VjcmV0',
      TSIG_LEGACY_SECRET: 'bGVnYWN5LXNlY3JldA==',
    });
    expect(loaded.path).toBe(path);
    expect(loaded.sha256).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));
    expect(loaded.warnings).toEqual([]);
    expect(loaded.desired.accountId).toBe(ACCOUNT);
    expect(revealed(loaded)).toEqual([
      { kind: 'tsig', name: 'tsig.customer.cf.', values: { algo: 'hmac-sha512.', secret: { secret: 'Y3VzdG9tZXItc2VjcmV0' } }, position: { line: 5, col: 5 } },
      { kind: 'tsig', name: 'tsig.legacy.cf.', values: { algo: 'hmac-md5.sig-alg.reg.int.', secret: { secret: 'bGVnYWN5LXNlY3JldA==' } }, position: { line: 8, col: 5 } },
      { kind: 'peer', name: 'my-peer-1', values: { ip: '192.0.2.53', port: 53, ixfr_enable: true, tsig: 'tsig.customer.cf.' }, position: { line: 12, col: 5 } },
      { kind: 'peer', name: 'my-peer-2', values: { ip: '2001:db8::53', port: 5353, ixfr_enable: false, tsig: 'tsig.legacy.cf.' }, position: { line: 17, col: 5 } },
      { kind: 'peer', name: 'my-peer-3', values: { ip: '198.51.100.7', port: 53, ixfr_enable: false, tsig: null }, position: { line: 21, col: 5 } },
    ]);
    const secrets = loaded.desired.resources.filter((r) => r.kind === 'tsig').map((r) => r.values.secret);
    for (const secret of secrets) expect(secret).toBeInstanceOf(Secret);
    expect(JSON.stringify(loaded)).not.toContain('Y3VzdG9tZXItc2VjcmV0');
  });

  it('takes tsigs and peers as empty when left out', async () => {
    const loaded = await loadConfig(join(VALID, 'minimal.yaml'), {});
    expect(loaded.desired).toEqual({ accountId: ACCOUNT, resources: [], zones: [], manage: 'declared' });
  });

  it('takes the account ID from CLOUDFLARE_ACCOUNT_ID when the file has none', async () => {
    const loaded = await loadConfig(join(VALID, 'account-from-env.yaml'), { CLOUDFLARE_ACCOUNT_ID: ACCOUNT });
    expect(loaded.desired.accountId).toBe(ACCOUNT);
    expect(loaded.desired.resources.map((r) => r.name)).toEqual(['only-peer']);
  });

  it('prefers account_id in the file over CLOUDFLARE_ACCOUNT_ID', async () => {
    const loaded = await loadConfig(join(VALID, 'minimal.yaml'), { CLOUDFLARE_ACCOUNT_ID: 'f'.repeat(32) });
    expect(loaded.desired.accountId).toBe(ACCOUNT);
  });

  it('accepts a literal secret with a positioned warning that does not show it', async () => {
    const loaded = await loadConfig(join(VALID, 'literal-secret.yaml'), {});
    expect(loaded.warnings).toEqual([
      {
        file: join(VALID, 'literal-secret.yaml'),
        line: 6,
        col: 13,
        path: 'tsigs[0].secret',
        severity: 'warning',
        message: 'secret is written literally in the file; use secret: ${SOME_VAR} and set the variable in the environment',
      },
    ]);
    const [tsig] = loaded.desired.resources;
    expect(tsig?.values.secret).toBeInstanceOf(Secret);
    expect((tsig?.values.secret as Secret).reveal()).toBe('c2VjcmV0LXdyaXR0ZW4taW4tdGhlLWZpbGU=');
  });

  it('resolves aliases, $${ escapes and variables inside longer strings', async () => {
    const loaded = await loadConfig(join(VALID, 'anchors-and-escapes.yaml'), { TSIG_SHARED_SECRET: 'c2hhcmVk', SITE: 'ams' });
    expect(revealed(loaded).map((r) => [r.name, r.values])).toEqual([
      ['tsig.shared.cf.', { algo: 'hmac-sha256.', secret: { secret: 'c2hhcmVk' } }],
      ['price-${literal}', { ip: '192.0.2.10', port: 5353, ixfr_enable: false, tsig: 'tsig.shared.cf.' }],
      ['ns-ams-b', { ip: '192.0.2.11', port: 5353, ixfr_enable: false, tsig: 'tsig.shared.cf.' }],
    ]);
  });
});

describe('loadConfig on invalid files', () => {
  it('reports every problem at once, sorted by line then column, warnings included', async () => {
    const path = writeTemp(
      [
        'version: 2', // 1
        `account_id: ${ACCOUNT}`,
        'tsigs:',
        '  - name: k.',
        '    algo: hmac-sha512.',
        '    secret: bGl0ZXJhbC1zZWNyZXQtdGV4dA==', // 6: warning
        'peers:',
        '  - name: p',
        '    ip: 192.0.2.1',
        '    port: 0', // 10
        '    prot: 53', // 11
        '    tsig: other.', // 12
        '',
      ].join('\n'),
    );
    const problems = await problemsOf(path);
    expect(problems.map((p) => [p.line, p.col, p.severity, p.path])).toEqual([
      [1, 10, 'error', 'version'],
      [6, 13, 'warning', 'tsigs[0].secret'],
      [10, 11, 'error', 'peers[0].port'],
      [11, 5, 'error', 'peers[0]'],
      [12, 11, 'error', 'peers[0].tsig'],
    ]);
    expect(problems.map(formatProblem).join('\n')).not.toContain('bGl0ZXJhbC1zZWNyZXQtdGV4dA==');
  });

  it('reports an unset variable once, without also checking the text as written', async () => {
    const path = writeTemp(['version: 1', 'account_id: ${CF_ACCOUNT}', ''].join('\n'));
    const problems = await problemsOf(path);
    expect(problems).toEqual([
      { file: path, line: 2, col: 13, path: 'account_id', severity: 'error', message: 'environment variable CF_ACCOUNT is not set' },
    ]);
  });

  it('names both ways to give the account ID when neither is there', async () => {
    const path = writeTemp('version: 1\n');
    const [problem] = await problemsOf(path, { CLOUDFLARE_ACCOUNT_ID: '' });
    expect(problem?.message).toBe('no account ID: set account_id in this file or the CLOUDFLARE_ACCOUNT_ID environment variable');
  });

  it('treats a whitespace-only file as empty', async () => {
    const [problem] = await problemsOf(writeTemp('  \n\n'));
    expect(problem?.message).toBe('the file is empty; it needs at least "version: 1"');
  });

  it('keeps a YAML warning (unknown tag) among the problems', async () => {
    const path = writeTemp(['version: 1', `account_id: !custom ${ACCOUNT}`, 'peers: 3', ''].join('\n'));
    const problems = await problemsOf(path);
    expect(problems.map((p) => [p.line, p.severity, p.message])).toEqual([
      [2, 'warning', 'YAML: Unresolved tag: !custom'],
      [3, 'error', 'must be a list, got 3'],
    ]);
  });
});

describe('validate --allow-unset-env (CI jobs without secrets)', () => {
  const text = ['version: 1', 'tsigs:', '  - name: k.', '    algo: hmac-sha256.', '    secret: ${TSIG_K}', ''].join('\n');

  it('turns unset variables and a missing account ID into warnings, and the config loads', async () => {
    const loaded = await loadConfig(writeTemp(text), {}, { allowUnsetVariables: true });
    expect(loaded.warnings.map((w) => [w.line, w.severity, w.message])).toEqual([
      [1, 'warning', 'no account ID: set account_id in this file or the CLOUDFLARE_ACCOUNT_ID environment variable'],
      [5, 'warning', 'environment variable TSIG_K is not set (allowed by --allow-unset-env)'],
    ]);
  });

  it('still fails on everything else, and without the option on the unset variable', async () => {
    const broken = text.replace('hmac-sha256.', 'hmac-sha999.');
    const err = await loadConfig(writeTemp(broken), {}, { allowUnsetVariables: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.filter((p) => p.severity === 'error').map((p) => p.line)).toEqual([4]);
    const strict = await problemsOf(writeTemp(text), { CLOUDFLARE_ACCOUNT_ID: ACCOUNT });
    expect(strict.map((p) => [p.severity, p.message])).toEqual([['error', 'environment variable TSIG_K is not set']]);
  });
});
