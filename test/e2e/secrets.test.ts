/**
 * Secret hygiene of the built CLI: with known random TSIG secrets and API token, every command
 * (validate, plan in every output, plan --out, apply success/update/failure, a refused token,
 * a validation failure with secrets in the wrong places, --log-level debug and trace, GitHub
 * Actions mode with a step summary and step outputs) is run, and no secret — nor any 16-character
 * piece of one — may appear in stdout, stderr, the state file, the plan file, the step summary or
 * the step outputs. The one exception: in GitHub Actions, `::add-mask::<secret>` lines on stderr,
 * exactly one per secret, before anything else is printed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, randomHex, removeTempDirs, runCli, tempDir, writeConfig, writeText, type CliRun, type ConfigSpec } from '../support/cli.js';
import { closeFakes, startFake, type FakeCloudflare } from '../support/fake.js';

beforeAll(assertBuilt);
// Closed at the end of the file: tests may run concurrently, each with its own fake.
afterAll(closeFakes);
afterAll(removeTempDirs);

const FRAGMENT = 16;

/** Where a secret (or a FRAGMENT-long piece of it) occurs in `text`, for the failure message. */
function findLeak(text: string, secret: string): string | null {
  for (let i = 0; i + FRAGMENT <= secret.length; i++) {
    const piece = secret.slice(i, i + FRAGMENT);
    const at = text.indexOf(piece);
    if (at >= 0) return `…${text.slice(Math.max(0, at - 60), at + 80)}…`;
  }
  return null;
}

interface Secrets {
  token: string;
  tsig: Record<string, string>;
  /** Other values a run was given that must not leak either (e.g. a wrong token). */
  extra: string[];
  all(): string[];
}

function newSecrets(): Secrets {
  const tsig = {
    // Hex, base64 (TSIG secrets usually are: + / =) and one with JSON-escaped characters.
    SECRET_HEX: randomHex(64),
    SECRET_B64: randomBytes(48).toString('base64'),
    // Base64 heavy in + and /: characters that URL- or JSON-escaping could change.
    SECRET_ODD: `++//${randomBytes(30).toString('base64')}/+/+`,
  };
  const token = `tok_${randomBytes(24).toString('base64url')}`;
  const extra: string[] = [];
  return { token, tsig, extra, all: () => [token, ...Object.values(tsig), ...extra] };
}

const SPEC: ConfigSpec = {
  tsigs: [
    { name: 'hex.tsig.', secretVar: 'SECRET_HEX' },
    { name: 'b64.tsig.', algo: 'hmac-sha256.', secretVar: 'SECRET_B64' },
    { name: 'odd.tsig.', algo: 'hmac-sha1.', secretVar: 'SECRET_ODD' },
  ],
  peers: [
    { name: 'ns-hex', ip: '192.0.2.1', tsig: 'hex.tsig.' },
    { name: 'ns-b64', ip: '192.0.2.2', tsig: 'b64.tsig.' },
    { name: 'ns-odd', ip: '192.0.2.3', tsig: 'odd.tsig.' },
  ],
};

interface Scenario {
  fake: FakeCloudflare & { token: string };
  dir: string;
  config: string;
  secrets: Secrets;
  /** Files dnsctl may write: state, plan, step summary, step output. */
  files: string[];
  env(github: boolean): Record<string, string>;
  run(args: string[], github?: boolean, extraEnv?: Record<string, string>): Promise<CliRun>;
  checked: number;
}

async function scenario(spec: ConfigSpec = SPEC, fakeOptions: Parameters<typeof startFake>[0] = {}): Promise<Scenario> {
  const secrets = newSecrets();
  const fake = await startFake({ latencyMs: 1, token: secrets.token, ...fakeOptions });
  const dir = tempDir();
  const config = writeConfig(dir, spec);
  const summary = join(dir, 'step-summary.md');
  const output = join(dir, 'github-output.txt');
  const s: Scenario = {
    fake,
    dir,
    config,
    secrets,
    files: [join(dir, 'state.json'), join(dir, 'plan.json'), summary, output, join(dir, 'dnsctl.state.json')],
    env: (github) => ({
      CLOUDFLARE_API_TOKEN: secrets.token,
      CLOUDFLARE_BASE_URL: fake.url,
      ...secrets.tsig,
      ...(github ? { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output } : {}),
    }),
    checked: 0,
    async run(args, github = false, extraEnv = {}) {
      const result = await runCli(args, { env: { ...s.env(github), ...extraEnv } });
      expectNoLeak(s, result, github);
      s.checked += 1;
      return result;
    },
  };
  return s;
}

/** The hygiene assertion, after every run: streams and every file dnsctl may have written. */
function expectNoLeak(s: Scenario, run: CliRun, github: boolean): void {
  const secrets = s.secrets.all();
  const masks = new Set(secrets.map(maskLine));
  const stderrLines = run.stderr.split('\n');
  const maskLines = stderrLines.filter((line) => masks.has(line));
  const otherStderr = stderrLines.filter((line) => !masks.has(line)).join('\n');

  const where: Array<[string, string]> = [
    ['stdout', run.stdout],
    ['stderr (mask lines aside)', otherStderr],
    ...s.files.filter(existsSync).map((file): [string, string] => [file, readFileSync(file, 'utf8')]),
  ];
  for (const secret of secrets) {
    for (const [label, text] of where) {
      const leak = findLeak(text, secret);
      expect(leak, `a secret leaked into ${label}: ${leak}`).toBeNull();
    }
  }
  // A mask line is the only allowed occurrence: only in GitHub Actions, once per secret, on stderr, first.
  if (!github) expect(maskLines).toEqual([]);
  else {
    expect(new Set(maskLines).size).toBe(maskLines.length);
    const firstOther = stderrLines.findIndex((line) => line !== '' && !masks.has(line));
    const lastMask = stderrLines.findLastIndex((line) => masks.has(line));
    if (firstOther >= 0 && lastMask >= 0) expect(lastMask).toBeLessThan(firstOther);
  }
  expect(run.stdout + run.stderr).not.toContain('    at ');
}

/** The workflow command that masks a secret (its data escaped as the runner expects: % CR LF). */
function maskLine(secret: string): string {
  return `::add-mask::${secret.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}`;
}

/** GitHub mode of a command that read the config: every secret masked exactly once. */
function expectAllMasked(s: Scenario, run: CliRun): void {
  const lines = run.stderr.split('\n');
  for (const secret of s.secrets.all()) expect(lines.filter((l) => l === maskLine(secret)), `mask of a secret`).toHaveLength(1);
}

const state = (s: Scenario) => ['--state', join(s.dir, 'state.json')];

describe.concurrent.each([false, true])('secret hygiene (GITHUB_ACTIONS=%s)', (github) => {
  it('validate: valid, --output json', async () => {
    const s = await scenario();
    expect((await s.run(['validate', s.config], github)).code).toBe(0);
    expect((await s.run(['validate', s.config, '--output', 'json'], github)).code).toBe(0);
  });

  it('a validation failure with secrets in the wrong places', async () => {
    const s = await scenario();
    const bad = writeText(
      s.dir,
      'bad.yaml',
      [
        'version: 1',
        'account_id: 01a7362d577a6c3019a474fd6f485823',
        'tsigs:',
        '  - name: hex.tsig.',
        '    algo: hmac-sha512.',
        '    secret: ${SECRET_HEX}',
        '    secert: ${SECRET_B64}',
        '  - name: dup.tsig.',
        '    algo: ${SECRET_HEX}',
        '    secret: ${SECRET_ODD}',
        'peers:',
        '  - name: ns1',
        '    ip: ${SECRET_HEX}',
        '    port: ${SECRET_B64}',
        '    tsig: ${SECRET_ODD}',
        '  - name: ${SECRET_B64}',
        '    ip: 192.0.2.1',
        '  - name: ${SECRET_B64}',
        '    ip: 192.0.2.2',
        '',
      ].join('\n'),
    );
    for (const command of ['validate', 'apply']) {
      const args = command === 'validate' ? [command, bad] : [command, bad, ...state(s)];
      const run = await s.run(args, github);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/problems? in the config; nothing was changed/);
      if (github) expect(run.stderr).toContain('::error file=');
    }
    expect(s.fake.requests).toEqual([]);
  });

  it('plan: text, json, markdown, --out plan.json', async () => {
    const s = await scenario();
    for (const output of ['text', 'json', 'markdown']) {
      const run = await s.run(['plan', s.config, ...state(s), '--output', output], github);
      expect(run.code).toBe(0);
      if (github) expectAllMasked(s, run);
    }
    const out = await s.run(['plan', s.config, ...state(s), '--out', join(s.dir, 'plan.json'), '--detailed-exitcode'], github);
    expect(out.code).toBe(2);
    expect(existsSync(join(s.dir, 'plan.json'))).toBe(true);
    if (github) {
      expect(readFileSync(join(s.dir, 'step-summary.md'), 'utf8')).toContain('dnsctl plan');
      expect(readFileSync(join(s.dir, 'github-output.txt'), 'utf8')).toContain('has-changes=true');
    }
  });

  it('apply: success, the reviewed plan, a secret rotated (update), nothing to do', async () => {
    const s = await scenario();
    expect((await s.run(['plan', s.config, ...state(s), '--out', join(s.dir, 'plan.json')], github)).code).toBe(0);
    const first = await s.run(['apply', s.config, ...state(s), '--plan', join(s.dir, 'plan.json')], github);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    if (github) expectAllMasked(s, first);
    // The account does hold the secrets (the fake echoes them on every list): they were sent.
    expect(s.fake.objects('tsigs').map((t) => t.secret).sort()).toEqual(Object.values(s.secrets.tsig).sort());

    if (github) expect(readFileSync(join(s.dir, 'github-output.txt'), 'utf8')).toContain('report-path=');

    const rotated = randomHex(64);
    s.secrets.tsig.SECRET_HEX = rotated;
    const plan = await s.run(['plan', s.config, ...state(s)], github);
    expect(plan.stdout).toContain('secret: (sensitive) → (sensitive)');
    const update = await s.run(['apply', s.config, ...state(s), '--output', 'json'], github);
    expect(update.code).toBe(0);
    expect(s.fake.objects('tsigs').find((t) => t.name === 'hex.tsig.')?.secret).toBe(rotated);
    // Nothing to do, the Markdown report, the default state path.
    expect((await s.run(['apply', s.config, '--output', 'markdown'], github)).code).toBe(0);
  });

  it('apply against an API failing with 500 and with 403', async () => {
    const s = await scenario();
    s.fake.injectFault({ kind: 'status', status: 500, method: 'POST', path: `/accounts/${s.fake.accountId}/secondary_dns/tsigs`, times: Infinity });
    const failing = await s.run(['apply', s.config, ...state(s), '--max-retries', '1', '--timeout', '2'], github);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('HTTP 500');

    const wrongToken = `tok_${randomBytes(24).toString('base64url')}`;
    s.secrets.extra.push(wrongToken);
    const refused = await s.run(['apply', s.config, ...state(s)], github, { CLOUDFLARE_API_TOKEN: wrongToken });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('HTTP 403');
  });

  it(`--log-level ${github ? 'trace' : 'debug'}, with retries and an adopted lost POST in the logs`, async () => {
    const level = github ? 'trace' : 'debug';
    const s = await scenario();
    const base = `/accounts/${s.fake.accountId}/secondary_dns`;
    s.fake.injectFault({ kind: 'status', status: 500, method: 'GET', path: `${base}/peers` });
    s.fake.injectFault({ kind: 'drop-after', method: 'POST', path: `${base}/tsigs` });
    s.fake.injectFault({ kind: 'drop-before', method: 'POST', path: `${base}/peers` });
    const plan = await s.run(['plan', s.config, ...state(s), '--log-level', level], github);
    expect(plan.code).toBe(0);
    expect(plan.stderr).toContain('"level"');
    const apply = await s.run(['apply', s.config, ...state(s), '--log-level', level, '--timeout', '2'], github);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stderr).toContain('cloudflare answered');
    expect(apply.stderr).toContain('created by a request whose answer was lost');
    if (github) expectAllMasked(s, apply);
  });
});

describe.concurrent('secret hygiene when Cloudflare answers garbage', () => {
  // These answers quote the account's objects back, TSIG secrets included (GET and POST answers
  // hold `secret`). dnsctl quotes a snippet of an unreadable answer in its error message.
  it('a truncated list of TSIGs: the error quotes no secret of the account', async () => {
    const s = await scenario();
    // The account already holds the TSIGs with the configured secrets (a previous apply).
    expect((await s.run(['apply', s.config, ...state(s)])).code).toBe(0);
    s.fake.injectFault({ kind: 'truncated', method: 'GET', path: `/accounts/${s.fake.accountId}/secondary_dns/tsigs`, times: Infinity });
    // An unreadable list is retried (transient); no retries here keeps the test short.
    for (const github of [false, true]) {
      const run = await s.run(['plan', s.config, ...state(s), '--max-retries', '0'], github);
      expect(run.code).toBe(1);
      const apply = await s.run(['apply', s.config, ...state(s), '--max-retries', '0'], github);
      expect(apply.code).toBe(1);
    }
  });

  it.each([false, true])('a truncated answer to a TSIG create: the failure quotes no piece of the secret (GITHUB_ACTIONS=%s)', async (github) => {
    const s = await scenario({ tsigs: [{ name: 't.', secretVar: 'SECRET_HEX' }], peers: [] });
    // A 128-byte key (hmac-sha512's block size) in hex: 256 characters. The answer echoes it last,
    // so the first half of the truncated answer holds its beginning.
    s.secrets.tsig.SECRET_HEX = randomHex(128);
    s.fake.injectFault({ kind: 'truncated', method: 'POST', path: `/accounts/${s.fake.accountId}/secondary_dns/tsigs`, times: Infinity });
    const run = await s.run(['apply', s.config, ...state(s)], github);
    // An unreadable answer to a POST means "outcome unknown": dnsctl looks the name up and adopts
    // the TSIG the request created, instead of quoting the answer (which holds the secret).
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(s.fake.objects('tsigs').map((t) => t.name)).toEqual(['t.']);
  });
});
