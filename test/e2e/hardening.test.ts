/**
 * Issue 9, on the built CLI: each test reproduces a failure found by the hostile test round.
 * Races (two applies at once), files dnsctl was not asked to touch, names that are terminal or
 * workflow commands, and the messages of user-caused failures. Needs `npm run build` first.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_ID, assertBuilt, randomHex, removeTempDirs, runCli, startCli, tempDir, writeConfig, type ConfigSpec } from '../support/cli.js';
import { closeFakes, nameCounts, startFake } from '../support/fake.js';

beforeAll(assertBuilt);
afterAll(closeFakes);
afterAll(removeTempDirs);

const SPEC: ConfigSpec = {
  tsigs: [{ name: 'tsig.race.cf.', secretVar: 'TSIG_RACE_SECRET' }],
  peers: [
    { name: 'race-ns1', ip: '192.0.2.53', tsig: 'tsig.race.cf.' },
    { name: 'race-ns2', ip: '192.0.2.54' },
  ],
};

describe.concurrent('two applies of one config started together', () => {
  it('exactly one runs; the other exits 1 naming the holder; the account holds one of everything', async () => {
    // 1 s per request: the winner holds the lock for four rounds of requests (lists, the TSIG, a
    // peer's POST then PUT), about 4 s, far longer than the loser needs to reach the lock after
    // starting at the same moment, even on a busy machine.
    const fake = await startFake({ latencyMs: 1000 });
    const dir = tempDir();
    const config = writeConfig(dir, SPEC);
    const env = { CLOUDFLARE_API_TOKEN: fake.token, CLOUDFLARE_BASE_URL: fake.url, TSIG_RACE_SECRET: randomHex(32) };
    const runs = [startCli(['apply', config], { env }), startCli(['apply', config], { env })];
    const results = await Promise.all(runs.map((r) => r.result));
    const all = results.map((r) => r.stdout + r.stderr).join('\n----\n');

    expect(results.map((r) => r.code).sort(), all).toEqual([0, 1]);
    const winner = runs[results.findIndex((r) => r.code === 0)]!;
    const loser = results.find((r) => r.code === 1)!;
    const lockPath = join(dir, 'dnsctl.state.json.lock');
    expect(loser.stderr).toContain(`dnsctl: error: another run holds the lock on ${join(dir, 'dnsctl.state.json')}`);
    expect(loser.stderr).toContain(`pid ${winner.child.pid} on host `);
    expect(loser.stderr).toMatch(/since \d{4}-\d\d-\d\dT/);
    expect(loser.stderr).toContain(`remove ${lockPath}`);
    expect(loser.stderr).not.toContain('internal error');

    for (const collection of ['tsigs', 'peers'] as const) {
      expect(Object.fromEntries(nameCounts(fake, collection)), collection).toEqual(
        Object.fromEntries((collection === 'tsigs' ? SPEC.tsigs! : SPEC.peers!).map((o) => [o.name, 1])),
      );
    }
    expect(fake.counts().byMethod.POST).toBe(3);
    // Released at the end: nothing left beside the state file.
    expect(existsSync(lockPath)).toBe(false);
  });
});

describe.concurrent('files the user did not ask to touch', () => {
  async function setup() {
    const fake = await startFake();
    const dir = tempDir();
    const config = writeConfig(dir, SPEC);
    const env = { CLOUDFLARE_API_TOKEN: fake.token, CLOUDFLARE_BASE_URL: fake.url, TSIG_RACE_SECRET: randomHex(32) };
    return { fake, dir, config, env };
  }

  it('plan --out <the config> is refused before the account is read; the config is untouched', async () => {
    const s = await setup();
    const before = readFileSync(s.config, 'utf8');
    const run = await runCli(['plan', s.config, '--out', s.config], { env: s.env });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toBe(
      `dnsctl: error: refusing to overwrite ${s.config}: it is not a dnsctl plan file (it may be the config, a state file or any other file); choose another path, or move that file away first\n`,
    );
    expect(readFileSync(s.config, 'utf8')).toBe(before);
    expect(s.fake.requests).toEqual([]);
  });

  it('plan --out into a folder that does not exist: one clear line naming it, not "internal error: ENOENT"', async () => {
    const s = await setup();
    const out = join(s.dir, 'plans', 'plan.json');
    const run = await runCli(['plan', s.config, '--out', out], { env: s.env });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toBe(
      `dnsctl: error: cannot write the plan file ${out}: the folder ${join(s.dir, 'plans')} does not exist; create it or choose another path\n`,
    );
  });
});

describe.concurrent('names from the account are data, not terminal or workflow commands', () => {
  it('plan prints hostile names escaped: no raw ESC, no line starting with "::"', async () => {
    const fake = await startFake();
    const dir = tempDir();
    const config = writeConfig(dir, { peers: [{ name: 'good-ns', ip: '192.0.2.10' }] });
    // Objects dnsctl once created (recorded in the state file), renamed by hand into commands.
    const evil = fake.seed('peers', { name: '::set-output name=x::evil\u001b[2J', ip: '192.0.2.66' });
    const forged = fake.seed('peers', { name: 'ok\n::error::forged\r', ip: '192.0.2.67\u001b]0;title\u0007' });
    const state = join(dir, 'dnsctl.state.json');
    writeFileSync(
      state,
      JSON.stringify({
        format_version: 1,
        tool: { name: 'dnsctl', version: '0.1.0' },
        config: { path: config, sha256: 'x' },
        account_id: ACCOUNT_ID,
        started_at: '2026-01-01T00:00:00.000Z',
        finished_at: '2026-01-01T00:00:01.000Z',
        dry_run: false,
        outcome: 'success',
        summary: { created: 2, updated: 0, deleted: 0, unchanged: 0, failed: 0, skipped: 0 },
        fingerprint_salt: 'salt',
        resources: [evil, forged].map((p) => ({ kind: 'peer', name: p.name, id: p.id, operation: 'create', status: 'applied' })),
      }),
    );
    const run = await runCli(['plan', config], { env: { CLOUDFLARE_API_TOKEN: fake.token, CLOUDFLARE_BASE_URL: fake.url } });
    const output = run.stdout + run.stderr;
    expect(run.code, output).toBe(0);
    expect(output).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    for (const line of output.split('\n')) expect(line.trimStart().startsWith('::'), line).toBe(false);
    expect(run.stdout).toContain('- ::set-output name=x::evil\\u{1b}[2J');
    expect(run.stdout).toContain('- ok\\u{a}::error::forged\\u{d}');
    expect(run.stdout).toContain('192.0.2.67\\u{1b}]0;title\\u{7}');
  });
});

describe.concurrent('messages of failures a user can cause', () => {
  it('an unwritable GITHUB_STEP_SUMMARY is one warning line and the run goes on; CLOUDFLARE_ACCOUNT_ID with a trailing newline works', async () => {
    const fake = await startFake();
    const dir = tempDir();
    const config = writeConfig(dir, { accountId: null, peers: [{ name: 'ns1', ip: '192.0.2.1' }] });
    const output = join(dir, 'github-output');
    writeFileSync(output, '');
    const run = await runCli(['plan', config], {
      env: {
        CLOUDFLARE_API_TOKEN: fake.token,
        CLOUDFLARE_BASE_URL: fake.url,
        CLOUDFLARE_ACCOUNT_ID: `${ACCOUNT_ID}\n`,
        GITHUB_ACTIONS: 'true',
        GITHUB_STEP_SUMMARY: dir, // a directory: cannot be appended to
        GITHUB_OUTPUT: output,
      },
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(`→ account ${ACCOUNT_ID}`);
    expect(run.stdout).toContain('+ ns1  create');
    expect(run.stderr).toContain(
      `dnsctl: warning: could not write the job summary to GITHUB_STEP_SUMMARY (${dir}: EISDIR); the run goes on without it\n`,
    );
    expect(run.stderr).not.toContain('internal error');
    expect(readFileSync(output, 'utf8')).toContain('has-changes=true\n');
  });
});
