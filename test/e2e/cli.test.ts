/**
 * The built CLI (dist/cli.js) as a child process against the fake Cloudflare API: exit codes of
 * every command, --help/--version, usage errors, the JSON and Markdown outputs, and the state
 * file. Needs `npm run build` first.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateFile } from '../../src/report/state.js';
import {
  ACCOUNT_ID,
  PACKAGE_VERSION,
  assertBuilt,
  humanLines,
  randomHex,
  readJson,
  removeTempDirs,
  runCli,
  tempDir,
  writeConfig,
  writeText,
  type CliRun,
  type ConfigSpec,
} from '../support/cli.js';
import { actualObjects, closeFakes, expectedObjects, startFake, writes } from '../support/fake.js';

beforeAll(assertBuilt);
// Closed at the end of the file: tests may run concurrently, each with its own fake.
afterAll(closeFakes);
afterAll(removeTempDirs);

const SPEC: ConfigSpec = {
  tsigs: [
    { name: 'tsig.customer.cf.', secretVar: 'TSIG_CUSTOMER_SECRET' },
    { name: 'tsig.backup.cf.', algo: 'hmac-sha256.', secretVar: 'TSIG_BACKUP_SECRET' },
  ],
  peers: [
    { name: 'primary-ns1', ip: '192.0.2.53', ixfr_enable: true, tsig: 'tsig.customer.cf.' },
    { name: 'backup-ns', ip: '2001:db8::53', port: 5353, tsig: 'tsig.backup.cf.' },
    { name: 'legacy-ns', ip: '198.51.100.7' },
  ],
};

const noStackTrace = (run: CliRun) => {
  expect(run.stdout + run.stderr).not.toContain('    at ');
};

async function setup(spec: ConfigSpec = SPEC) {
  const fake = await startFake({ latencyMs: 1 });
  const dir = tempDir();
  const config = writeConfig(dir, spec);
  const env: Record<string, string> = {
    CLOUDFLARE_API_TOKEN: fake.token,
    CLOUDFLARE_BASE_URL: fake.url,
    TSIG_CUSTOMER_SECRET: randomHex(64),
    TSIG_BACKUP_SECRET: randomHex(64),
  };
  const state = join(dir, 'state.json');
  const dnsctl = (...args: string[]) => runCli([...args], { env });
  return { fake, dir, config, env, state, dnsctl };
}

describe.concurrent('--help and --version', () => {
  it('--version and -V print the package version', async () => {
    for (const flag of ['--version', '-V']) {
      const run = await runCli([flag]);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`${PACKAGE_VERSION}\n`);
      expect(run.stderr).toBe('');
    }
  });

  it('--help lists the commands; "<command> --help" the command options', async () => {
    const main = await runCli(['--help']);
    expect(main.code).toBe(0);
    for (const command of ['validate', 'plan', 'apply']) expect(main.stdout).toContain(`dnsctl ${command} <config>`);
    expect(main.stdout).toContain('CLOUDFLARE_API_TOKEN');

    const validate = await runCli(['validate', '--help']);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toMatch(/^Usage: dnsctl validate <config>/);

    const apply = await runCli(['apply', '-h']);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toMatch(/^Usage: dnsctl apply <config>/);
    expect(apply.stdout).toContain('--plan FILE');

    const plan = await runCli(['plan', '--help']);
    expect(plan.stdout).toContain('--detailed-exitcode');
  });
});

describe('dnsctl with no arguments', () => {
  it('prints the help on stderr and exits 1', async () => {
    const run = await runCli([]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('dnsctl apply <config>');
  });
});

describe.concurrent('usage errors exit 1 with one line', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown command', ['frobnicate', 'x.yaml'], /unknown command "frobnicate"/],
    ['an unknown option', ['plan', 'x.yaml', '--frobnicate'], /Unknown option '--frobnicate'/],
    ['no config file', ['apply'], /dnsctl apply needs the config file/],
    ['two config files', ['plan', 'a.yaml', 'b.yaml'], /unexpected argument "b\.yaml"/],
    ['--concurrency 0', ['plan', 'x.yaml', '--concurrency', '0'], /--concurrency takes a whole number from 1 to 64/],
    ['--concurrency abc', ['apply', 'x.yaml', '--concurrency', 'abc'], /--concurrency takes a whole number/],
    ['--output xml', ['plan', 'x.yaml', '--output', 'xml'], /--output takes one of text, json, markdown/],
    ['--rate nonsense', ['apply', 'x.yaml', '--rate', 'fast'], /--rate takes REQUESTS\/SECONDS/],
    ['--log-level loud', ['plan', 'x.yaml', '--log-level', 'loud'], /--log-level takes one of/],
    ['an option of another command', ['validate', 'x.yaml', '--concurrency', '2'], /--concurrency does not apply to dnsctl validate/],
    ['--plan on plan', ['plan', 'x.yaml', '--plan', 'p.json'], /--plan does not apply to dnsctl plan/],
    ['--detailed-exitcode on apply', ['apply', 'x.yaml', '--detailed-exitcode'], /--detailed-exitcode does not apply to dnsctl apply/],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const run = await runCli(args, { env: { CLOUDFLARE_API_TOKEN: 'x', CLOUDFLARE_BASE_URL: 'http://127.0.0.1:9' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(humanLines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/^dnsctl: error: /);
    expect(run.stderr).toMatch(message);
    noStackTrace(run);
  });
});

describe.concurrent('validate', () => {
  it('a valid config: exit 0, offline (no credentials, no API)', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, SPEC);
    const env = { TSIG_CUSTOMER_SECRET: randomHex(32), TSIG_BACKUP_SECRET: randomHex(32) };
    const run = await runCli(['validate', config], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(`✓ ${config} is valid: 2 tsigs, 3 peers.\n`);

    const json = await runCli(['validate', config, '--output', 'json'], { env });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: true, account_id: ACCOUNT_ID, counts: { tsigs: 2, peers: 3 } });
  });

  it('an invalid config: exit 1, every problem with file:line:col', async () => {
    const dir = tempDir();
    const config = writeText(
      dir,
      'bad.yaml',
      'version: 1\naccount_id: 01a7362d577a6c3019a474fd6f485823\npeers:\n  - name: p1\n    ip: 192.0.2.300\n    prot: 53\n',
    );
    const run = await runCli(['validate', config]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${config}:5:9: error: peers[0].ip`);
    expect(run.stderr).toMatch(new RegExp(`${config.replace(/[.]/g, '\\.')}:6:5: error: .*did you mean "port"`));
    expect(run.stderr).toContain('dnsctl: 2 problems in the config; nothing was changed.');
    noStackTrace(run);
  });
});

describe.concurrent('plan', () => {
  it('exit codes: changes 0 (2 with --detailed-exitcode), no changes 0 either way; never writes', async () => {
    const s = await setup();
    const changes = await s.dnsctl('plan', s.config, '--state', s.state);
    expect(changes.code, changes.stderr).toBe(0);
    expect(changes.stdout).toContain('Plan: 5 to create, 0 to update, 0 to delete, 0 unchanged.');
    expect((await s.dnsctl('plan', s.config, '--state', s.state, '--detailed-exitcode')).code).toBe(2);
    expect(writes(s.fake)).toEqual([]);
    expect(existsSync(s.state)).toBe(false);

    expect((await s.dnsctl('apply', s.config, '--state', s.state)).code).toBe(0);
    const none = await s.dnsctl('plan', s.config, '--state', s.state);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('No changes. 5 unchanged.');
    expect((await s.dnsctl('plan', s.config, '--state', s.state, '--detailed-exitcode')).code).toBe(0);
  });

  it('--output json parses, with the summary and every operation', async () => {
    const s = await setup();
    const run = await s.dnsctl('plan', s.config, '--state', s.state, '--output', 'json');
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout) as { summary: unknown; operations: Array<{ id: string; action: string }>; account_id: string; plan_hash: string };
    expect(plan.summary).toEqual({ create: 5, update: 0, delete: 0, noop: 0, conflict: 0 });
    expect(plan.account_id).toBe(ACCOUNT_ID);
    expect(plan.plan_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(plan.operations.map((op) => op.id).sort()).toEqual(
      ['tsig:tsig.customer.cf.', 'tsig:tsig.backup.cf.', 'peer:primary-ns1', 'peer:backup-ns', 'peer:legacy-ns'].sort(),
    );
  });

  it('--output markdown has the table', async () => {
    const s = await setup();
    const run = await s.dnsctl('plan', s.config, '--state', s.state, '--output', 'markdown');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('### dnsctl plan: 5 to create, 0 to update, 0 to delete, 0 unchanged');
    expect(run.stdout).toContain('| Name | Action | Changes |');
    expect(run.stdout).toContain('| --- | --- | --- |');
    expect(run.stdout).toMatch(/\| <code>primary-ns1<\/code> \| `\+` create \| /);
    expect(run.stdout).toContain('(sensitive)');
  });

  it('no credentials: exit 1 with what to set', async () => {
    const s = await setup();
    const run = await runCli(['plan', s.config], { env: { ...s.env, CLOUDFLARE_API_TOKEN: undefined } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('dnsctl: error: no Cloudflare credentials: set CLOUDFLARE_API_TOKEN');
    noStackTrace(run);
  });

  it('refuses to send the token in clear text to another machine', async () => {
    const s = await setup();
    const run = await runCli(['plan', s.config, '--api-url', 'http://192.0.2.1/client/v4'], { env: s.env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('refusing to send credentials in clear text to http://192.0.2.1');
  });
});

describe.concurrent('apply', () => {
  it('exit 0; the state file beside the config is valid JSON with every id', async () => {
    const s = await setup();
    const run = await s.dnsctl('apply', s.config);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('Apply: 5 created, 0 updated, 0 deleted, 0 unchanged, 0 failed, 0 skipped.');
    const statePath = join(s.dir, 'dnsctl.state.json');
    expect(run.stdout).toContain(`State/report written to ${statePath}`);
    expect(actualObjects(s.fake)).toEqual(expectedObjects(s.fake, SPEC, s.env));

    const state = readJson<StateFile>(statePath);
    expect(state).toMatchObject({
      format_version: 1,
      tool: { name: 'dnsctl', version: PACKAGE_VERSION },
      config: { path: s.config },
      account_id: ACCOUNT_ID,
      dry_run: false,
      outcome: 'success',
      summary: { created: 5, updated: 0, deleted: 0, unchanged: 0, failed: 0, skipped: 0 },
    });
    expect(state.config.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(state.finished_at)).toBeGreaterThanOrEqual(Date.parse(state.started_at));
    const live = new Map([...s.fake.objects('tsigs'), ...s.fake.objects('peers')].map((o) => [o.name, o.id]));
    expect(state.resources).toHaveLength(5);
    for (const entry of state.resources) {
      expect(entry.id).toBe(live.get(entry.name));
      expect(entry.status).toBe('applied');
    }
    // TSIG entries carry a salted fingerprint, never the secret.
    for (const entry of state.resources.filter((e) => e.kind === 'tsig')) expect(entry.fingerprints?.secret).toMatch(/^hmac-sha256:[0-9a-f]{32}$/);

    const again = await s.dnsctl('apply', s.config);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Apply: 0 created, 0 updated, 0 deleted, 5 unchanged, 0 failed, 0 skipped.');
  });

  it('--output json parses with the result summary; --output markdown has the table', async () => {
    const s = await setup();
    const run = await s.dnsctl('apply', s.config, '--state', s.state, '--output', 'json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      result_summary: unknown;
      state_path: string;
      results: Array<{ status: string; cloudflare_id: string }>;
    };
    expect(report.result_summary).toEqual({ created: 5, updated: 0, deleted: 0, unchanged: 0, failed: 0, skipped: 0 });
    expect(report.state_path).toBe(s.state);
    expect(report.results).toHaveLength(5);
    expect(report.results.every((r) => r.status === 'applied' && /^[0-9a-f]{32}$/.test(r.cloudflare_id))).toBe(true);

    s.env.TSIG_BACKUP_SECRET = randomHex(64);
    const md = await s.dnsctl('apply', s.config, '--state', s.state, '--output', 'markdown');
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('### dnsctl apply: 1 applied, 0 failed, 0 skipped, 4 unchanged');
    expect(md.stdout).toContain('| Name | Action | Status | Changes |');
    expect(md.stdout).toMatch(/\| <code>tsig\.backup\.cf\.<\/code> \| `~` update \| ✅ applied \| /);
  });

  it('a partial apply exits 1 and says what failed', async () => {
    const s = await setup();
    s.fake.injectFault({ kind: 'status', status: 400, method: 'PUT', path: new RegExp('/peers/'), times: 1, errors: [{ code: 1001, message: 'ip: rejected' }] });
    const run = await s.dnsctl('apply', s.config, '--state', s.state, '--concurrency', '1');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ peer .*: create failed: PUT peers\/[0-9a-f]{32}: HTTP 400: \[1001\] ip: rejected/);
    expect(run.stdout).toContain('Apply: 4 created, 0 updated, 0 deleted, 0 unchanged, 1 failed, 0 skipped.');
    const state = readJson<StateFile>(s.state);
    expect(state.outcome).toBe('partial');
    // The half-made peer (POST done, PUT refused) is recorded with its id, so the next run fixes it.
    const failed = state.resources.find((e) => e.status === 'failed')!;
    expect(failed.id).toMatch(/^[0-9a-f]{32}$/);
    noStackTrace(run);

    const again = await s.dnsctl('apply', s.config, '--state', s.state);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Apply: 0 created, 1 updated, 0 deleted, 4 unchanged, 0 failed, 0 skipped.');
    expect(actualObjects(s.fake)).toEqual(expectedObjects(s.fake, SPEC, s.env));
  });

  it('the account id can come from CLOUDFLARE_ACCOUNT_ID', async () => {
    const s = await setup({ ...SPEC, accountId: null });
    const run = await runCli(['apply', s.config, '--state', s.state], { env: { ...s.env, CLOUDFLARE_ACCOUNT_ID: s.fake.accountId } });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(readJson<StateFile>(s.state).account_id).toBe(s.fake.accountId);
  });

  it('a state file of another account, or a corrupt one: exit 1, left as it is, nothing written', async () => {
    const s = await setup();
    expect((await s.dnsctl('apply', s.config, '--state', s.state)).code).toBe(0);
    const original = readFileSync(s.state, 'utf8');
    writeFileSync(s.state, original.replace(ACCOUNT_ID, 'ffffffffffffffffffffffffffffffff'));
    const foreign = readFileSync(s.state, 'utf8');
    s.fake.resetStats();
    const other = await s.dnsctl('apply', s.config, '--state', s.state);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('belongs to account ffffffffffffffffffffffffffffffff');
    expect(readFileSync(s.state, 'utf8')).toBe(foreign);

    writeFileSync(s.state, '{"format_version": 1, "account_');
    const corrupt = await s.dnsctl('apply', s.config, '--state', s.state);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toContain('is not valid JSON (corrupt or truncated)');
    expect(readFileSync(s.state, 'utf8')).toBe('{"format_version": 1, "account_');
    expect(s.fake.requests).toEqual([]);
    noStackTrace(corrupt);
  });

  it('an invalid config: exit 1 before any request', async () => {
    const s = await setup();
    const run = await runCli(['apply', s.config, '--state', s.state], { env: { ...s.env, TSIG_BACKUP_SECRET: undefined } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('environment variable TSIG_BACKUP_SECRET is not set');
    expect(s.fake.requests).toEqual([]);
    expect(existsSync(s.state)).toBe(false);
  });
});

describe.concurrent('what the review asked for', () => {
  it('validate --output json prints the problems as JSON on stdout when the config is invalid', async () => {
    const dir = tempDir();
    const config = writeText(dir, 'bad.yaml', `version: 1\naccount_id: ${ACCOUNT_ID}\npeers:\n  - name: p\n    ip: 300.1.1.1\n`);
    const run = await runCli(['validate', config, '--output', 'json']);
    expect(run.code).toBe(1);
    const parsed = JSON.parse(run.stdout) as { valid: boolean; problems: Array<{ line: number; path: string }> };
    expect(parsed.valid).toBe(false);
    expect(parsed.problems.map((p) => [p.line, p.path])).toEqual([[5, 'peers[0].ip']]);
    expect(run.stderr).toContain(`${config}:5:9: error: peers[0].ip:`);
  });

  it('validate refuses --output markdown', async () => {
    const run = await runCli(['validate', 'x.yaml', '--output', 'markdown']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('dnsctl: error: --output for dnsctl validate takes text or json, got "markdown"\n');
  });

  it('an unusable --state is refused before anything touches the account', async () => {
    const s = await setup();
    const run = await s.dnsctl('apply', s.config, '--state', join(s.dir, 'no-such-folder', 'state.json'));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the folder does not exist; nothing was done');
    expect(s.fake.requests).toEqual([]);
    noStackTrace(run);
  });

  it('without a state file the plan says that nothing will be deleted; apply --output json has the outcome', async () => {
    const s = await setup();
    const plan = await s.dnsctl('plan', s.config, '--state', s.state);
    expect(plan.stdout).toContain(`No state file at ${s.state}: dnsctl has no record of what it manages yet, so it deletes nothing.`);
    const markdown = await s.dnsctl('plan', s.config, '--state', s.state, '--output', 'markdown');
    expect(markdown.stdout).toContain('> No state file at');
    const apply = await s.dnsctl('apply', s.config, '--state', s.state, '--output', 'json');
    expect(apply.code).toBe(0);
    expect((JSON.parse(apply.stdout) as { outcome: string }).outcome).toBe('success');
    const again = await s.dnsctl('plan', s.config, '--state', s.state);
    expect(again.stdout).not.toContain('No state file');
  });
});
