/**
 * The lifecycle on the built CLI against the HTTP fake: adopt an account with `dnsctl import`,
 * delete undeclared objects under `manage: all` in a CI-style run (and nothing in the default
 * mode), rename in place with previous_names, the blast-radius guard, the dangerous-change marks,
 * and the prompt on a terminal (driven through a pseudo-terminal with util-linux `script`).
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateFile } from '../../src/report/state.js';
import {
  CLI_PATH,
  ACCOUNT_ID,
  assertBuilt,
  baseEnv,
  readJson,
  removeTempDirs,
  runCli,
  tempDir,
  writeConfig,
  writeText,
  type CliRun,
} from '../support/cli.js';
import { closeFakes, runInProcess, startFake, writes, type FakeCloudflare } from '../support/fake.js';

beforeAll(assertBuilt);
// Sequential on purpose: these spawns are heavy, and the suite shares two cores.
afterAll(closeFakes);
afterAll(removeTempDirs);

const SECRET = (n: number) => Buffer.from(`lifecycle-secret-${n}-${'x'.repeat(n)}`).toString('base64');

async function fakeWithZones(...names: string[]) {
  const fake = await startFake({ latencyMs: 1, zones: names.map((name) => ({ name })) });
  const env = { CLOUDFLARE_API_TOKEN: fake.token, CLOUDFLARE_BASE_URL: fake.url };
  const zoneId = (name: string) => fake.zonesList().find((z) => z.name === name)!.id;
  return { fake, env, zoneId };
}

const deletePaths = (fake: FakeCloudflare) => fake.requests.filter((r) => r.method === 'DELETE').map((r) => r.path.replace(/^\/client\/v4/, ''));

describe('dnsctl lifecycle (built CLI)', () => {
  it('import: a seeded account → a commented config, a 0600 secrets file, a state file; plan is then empty once the duplicate goes', async () => {
    const { fake, env, zoneId } = await fakeWithZones('example.com', 'example.net');
    const secrets = [SECRET(1), SECRET(2), SECRET(3)];
    const t1 = fake.seed('tsigs', { name: 'tsig.customer.cf.', algo: 'hmac-sha512.', secret: secrets[0] });
    const t2 = fake.seed('tsigs', { name: '*.Wild.Example', algo: 'hmac-sha256.', secret: secrets[1] });
    fake.seed('tsigs', { name: 'yes', algo: 'hmac-sha1.', secret: secrets[2] });
    const dupLinked = fake.seed('peers', { name: 'ns-dup', ip: '192.0.2.1', port: 53, tsig_id: t1.id });
    const dupExtra = fake.seed('peers', { name: 'ns-dup', ip: '192.0.2.2', port: 53 });
    const secondary = fake.seed('peers', { name: 'secondary #1: "b"', ip: '2001:db8::53', port: 5353, ixfr_enable: true, tsig_id: t2.id });
    fake.seed('acls', { name: 'office', ip_range: '192.0.2.0/24' });
    fake.seed('acls', { name: 'office-v6', ip_range: '2001:db8::/64' });
    fake.seedLink(zoneId('example.com'), 'incoming', { peers: [dupLinked.id], auto_refresh_seconds: 3600 });
    fake.seedLink(zoneId('example.net'), 'outgoing', { peers: [secondary.id], enabled: true });
    fake.seedLink(zoneId('example.net'), 'incoming', { peers: [dupLinked.id] });

    const dir = tempDir();
    const config = join(dir, 'dnsctl.yaml');
    const secretsFile = join(dir, 'secrets.env');
    const imported = await runCli(['import', '--out', config, '--secrets-out', secretsFile, '--account-id', ACCOUNT_ID], { env });
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(`Imported 3 TSIGs, 2 peers, 2 ACLs, 2 incoming and 1 outgoing zone links into ${config} (manage: all).`);
    expect(imported.stdout).toMatch(/^ {2}TSIG_TSIG_CUSTOMER_CF_SECRET {2}\(TSIG "tsig.customer.cf."\)$/m);
    expect(imported.stdout).toContain(`peer "ns-dup" has duplicates (ids ${dupExtra.id}); dnsctl will delete them`);
    expect(writes(fake)).toEqual([]);

    // The secrets: only in the new 0600 file.
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
    const secretLines = readFileSync(secretsFile, 'utf8').trim().split('\n').sort();
    expect(secretLines).toEqual(
      [`TSIG_TSIG_CUSTOMER_CF_SECRET=${secrets[0]}`, `TSIG_WILD_EXAMPLE_SECRET=${secrets[1]}`, `TSIG_YES_SECRET=${secrets[2]}`].sort(),
    );
    const statePath = join(dir, 'dnsctl.state.json');
    const configText = readFileSync(config, 'utf8');
    for (const secret of secrets) {
      for (const text of [imported.stdout, imported.stderr, configText, readFileSync(statePath, 'utf8')]) expect(text).not.toContain(secret);
    }
    expect(configText).toContain('manage: all');
    expect(configText).toContain(`# the other id(s) ${dupExtra.id} are duplicates`);
    expect(configText).toContain('  - name: "yes." # id');
    const state = readJson<StateFile>(statePath);
    expect(state.resources.map((e) => `${e.kind}:${e.name}:${e.id}`).sort()).toEqual(
      [
        `tsig:tsig.customer.cf.:${t1.id}`,
        `tsig:*.Wild.Example.:${t2.id}`,
        `tsig:yes.:${fake.objects('tsigs')[2]!.id}`,
        `peer:ns-dup:${dupLinked.id}`,
        `peer:secondary #1: "b":${secondary.id}`,
        `acl:office:${fake.objects('acls')[0]!.id}`,
        `acl:office-v6:${fake.objects('acls')[1]!.id}`,
        `incoming:example.com:${zoneId('example.com')}`,
        `incoming:example.net:${zoneId('example.net')}`,
        `outgoing:example.net:${zoneId('example.net')}`,
      ].sort(),
    );

    // Never over an existing file (checked before the account is read).
    const again = await runInProcess(['import', '--out', config, '--secrets-out', join(dir, 'other.env'), '--account-id', ACCOUNT_ID], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${config} already exists; dnsctl import never overwrites a file`);
    expect(() => statSync(join(dir, 'other.env'))).toThrow();

    const withSecrets = { ...env, ...Object.fromEntries(secretLines.map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string])) };
    const first = await runCli(['plan', config, '--detailed-exitcode'], { env: withSecrets });
    expect(first.code).toBe(2);
    expect(first.stdout).toContain('Plan: 0 to create, 0 to update, 1 to delete, 10 unchanged.');
    expect(first.stdout).toContain(`duplicate of peer "ns-dup" (id ${dupLinked.id}, the one dnsctl manages)`);
    const applied = await runCli(['apply', config], { env: withSecrets });
    expect(applied.code).toBe(0);
    expect(deletePaths(fake)).toEqual([`/accounts/${ACCOUNT_ID}/secondary_dns/peers/${dupExtra.id}`]);
    const settled = await runCli(['plan', config, '--detailed-exitcode'], { env: withSecrets });
    expect(settled.stdout).toContain('No changes. 10 unchanged.');
    expect(settled.code).toBe(0);
    for (const secret of secrets) for (const run of [first, applied, settled]) expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it('manage: all with no state file deletes the undeclared (links, then peers, then TSIGs); the default mode deletes nothing', async () => {
    const { fake, env, zoneId } = await fakeWithZones('example.com');
    const keepTsig = fake.seed('tsigs', { name: 'keep.', algo: 'hmac-sha512.', secret: SECRET(4) });
    const goneTsig = fake.seed('tsigs', { name: 'gone.', algo: 'hmac-sha512.', secret: SECRET(5) });
    fake.seed('peers', { name: 'keep', ip: '192.0.2.1', port: 53, tsig_id: keepTsig.id });
    const gonePeer = fake.seed('peers', { name: 'gone', ip: '192.0.2.2', port: 53, tsig_id: goneTsig.id });
    fake.seedLink(zoneId('example.com'), 'incoming', { peers: [gonePeer.id] });

    const dir = tempDir();
    const spec = {
      tsigs: [{ name: 'keep.', secretVar: 'KEEP_SECRET' }],
      peers: [{ name: 'keep', ip: '192.0.2.1', tsig: 'keep.' }],
      zones: [{ name: 'example.com' }],
    };
    const runEnv = { ...env, KEEP_SECRET: SECRET(4) };
    const declared = writeConfig(dir, spec, 'declared.yaml');
    const all = writeConfig(dir, { ...spec, manage: 'all' }, 'all.yaml');

    const safe = await runCli(['apply', declared], { env: runEnv });
    expect(safe.code).toBe(0);
    expect(writes(fake)).toEqual([]);
    expect(safe.stdout).toContain('3 object(s) in the account are not in the config and were not created by dnsctl; left alone.');

    const ci = await runCli(['apply', all], { env: runEnv });
    expect(ci.code).toBe(0);
    expect(ci.stdout).toContain('⚠ 3 dangerous changes:');
    expect(ci.stdout).toContain('why: not in all.yaml, which says manage: all');
    expect(deletePaths(fake)).toEqual([
      `/zones/${zoneId('example.com')}/secondary_dns/incoming`,
      `/accounts/${ACCOUNT_ID}/secondary_dns/peers/${gonePeer.id}`,
      `/accounts/${ACCOUNT_ID}/secondary_dns/tsigs/${goneTsig.id}`,
    ]);
    expect(fake.objects('peers').map((p) => p.name)).toEqual(['keep']);
  });

  it('previous_names: one PUT renames the peer in place; its id and the link to it stay; the plan shows old → new', async () => {
    const { fake, env, zoneId } = await fakeWithZones('example.com');
    const old = fake.seed('peers', { name: 'old-ns', ip: '192.0.2.7', port: 53 });
    fake.seedLink(zoneId('example.com'), 'incoming', { peers: [old.id] });
    const dir = tempDir();
    const config = writeText(
      dir,
      'dnsctl.yaml',
      [
        'version: 1',
        `account_id: "${ACCOUNT_ID}"`,
        'peers:',
        '  - name: new-ns',
        '    previous_names: [old-ns]',
        '    ip: 192.0.2.7',
        'zones:',
        '  - name: example.com',
        '    incoming:',
        '      peers: [new-ns]',
        '',
      ].join('\n'),
    );
    const run = await runCli(['apply', config], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ {2}~ old-ns → new-ns {2}update$/m);
    expect(run.stdout).toContain('Plan: 0 to create, 1 to update, 0 to delete, 1 unchanged.');
    expect(writes(fake).map((r) => `${r.method} ${r.path.replace(/^\/client\/v4/, '')}`)).toEqual([`PUT /accounts/${ACCOUNT_ID}/secondary_dns/peers/${old.id}`]);
    expect(fake.objects('peers')).toEqual([expect.objectContaining({ id: old.id, name: 'new-ns', ip: '192.0.2.7', port: 53 })]);
    expect(fake.links(zoneId('example.com')).incoming?.peers).toEqual([old.id]);
    const state = readJson<StateFile>(join(dir, 'dnsctl.state.json'));
    expect(state.resources.find((e) => e.kind === 'peer')).toMatchObject({ name: 'new-ns', id: old.id, operation: 'update', status: 'applied' });
  });

  it('dangerous changes are marked in text and the job summary; apply refuses too many deletes until --allow-deletes', async () => {
    const { fake, env, zoneId } = await fakeWithZones('example.com');
    const zone = zoneId('example.com');
    const k1 = fake.seed('tsigs', { name: 'k1.', algo: 'hmac-sha512.', secret: SECRET(6) });
    fake.seed('tsigs', { name: 'k2.', algo: 'hmac-sha256.', secret: SECRET(7) });
    fake.seed('peers', { name: 'ns-auth', ip: '192.0.2.10', port: 53, tsig_id: k1.id });
    const a = fake.seed('peers', { name: 'ns-a', ip: '192.0.2.11', port: 53 });
    const b = fake.seed('peers', { name: 'ns-b', ip: '192.0.2.12', port: 53 });
    const gone = [1, 2, 3, 4].map((i) => fake.seed('peers', { name: `gone-${i}`, ip: `192.0.2.${20 + i}`, port: 53 }));
    fake.seedLink(zone, 'outgoing', { peers: [a.id, b.id], enabled: true });

    const dir = tempDir();
    const config = writeConfig(dir, {
      manage: 'all',
      tsigs: [
        { name: 'k1.', secretVar: 'K1_SECRET' },
        { name: 'k2.', secretVar: 'K2_SECRET' },
      ],
      peers: [
        { name: 'ns-auth', ip: '192.0.2.10' },
        { name: 'ns-a', ip: '192.0.2.11' },
        { name: 'ns-b', ip: '192.0.2.12' },
      ],
      zones: [{ name: 'example.com', outgoing: { peers: ['ns-a'], enabled: false } }],
    });
    const summary = join(dir, 'summary.md');
    writeText(dir, 'summary.md', '');
    writeText(dir, 'output.txt', '');
    const runEnv = { ...env, K1_SECRET: SECRET(8), K2_SECRET: SECRET(7) };

    const plan = await runCli(['plan', config], { env: { ...runEnv, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: join(dir, 'output.txt') } });
    expect(plan.code).toBe(0);
    const expected = [
      'TSIG "k1." changes its secret: every server using the key must change at the same time, or transfers fail',
      'TSIG "k2." changes its algorithm: every server using the key must change at the same time, or transfers fail',
      'peer "ns-auth" loses its TSIG "k1.": transfers with it become unauthenticated',
      'outgoing transfer link of example.com loses peer "ns-b"',
      'outgoing transfer link of example.com is disabled: no more transfers to its secondaries',
      ...gone.map((p) => `deletes peer "${p.name}" (id ${p.id})`),
    ];
    const lines = plan.stdout.split('\n');
    const head = lines.indexOf('⚠ 9 dangerous changes:');
    expect(head).toBeGreaterThan(0);
    expect(lines.slice(head + 1, head + 10)).toEqual(expected.map((m) => `  - ${m}`));
    expect(plan.stdout).toContain('apply will refuse this plan: 4 deletes, more than the limit of 3; apply it with --allow-deletes 4 if intended.');
    const md = readFileSync(summary, 'utf8');
    const mdLines = md.split('\n');
    expect(mdLines[2]).toBe('> [!WARNING]');
    expect(mdLines.slice(4, 13)).toEqual(expected.map((m) => `> - ${m.replace(/"/g, '&quot;')}`));
    expect(md.indexOf('[!WARNING]')).toBeLessThan(md.indexOf('<details>') === -1 ? md.indexOf('####') : md.indexOf('<details>'));

    const refused = await runCli(['apply', config], { env: runEnv });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('dnsctl: error: the plan would delete 4 objects, more than the default limit max(3, 30 % of 10 managed objects) = 3; nothing was changed.');
    for (const p of gone) expect(refused.stderr).toContain(`  - peer "${p.name}" (id ${p.id}): not in dnsctl.yaml, which says manage: all`);
    expect(writes(fake)).toEqual([]);

    const allowed = await runCli(['apply', config, '--allow-deletes', '4'], { env: runEnv });
    expect(allowed.code).toBe(0);
    expect(fake.objects('peers').map((p) => p.name).sort()).toEqual(['ns-a', 'ns-auth', 'ns-b']);
    expect(fake.links(zone)).toMatchObject({ outgoing: { peers: [a.id] }, outgoingEnabled: false });
  });

  it('on a terminal apply asks "Apply these changes? (yes/no)": "no" changes nothing (exit 1), "yes" applies', async () => {
    const { fake, env } = await fakeWithZones();
    const dir = tempDir();
    const config = writeConfig(dir, { peers: [{ name: 'ns1', ip: '192.0.2.1' }] });

    const declined = await applyOnTerminal(config, 'no', env);
    expect(declined.stdout).toContain('+ ns1');
    expect(declined.stdout).toContain('Apply these changes? (yes/no) ');
    expect(declined.stdout).toContain('not confirmed');
    expect(declined.code).toBe(1);
    expect(writes(fake)).toEqual([]);

    const accepted = await applyOnTerminal(config, 'yes', env);
    expect(accepted.stdout).toContain('Apply these changes? (yes/no) ');
    expect(accepted.stdout).toContain('Apply: 1 created');
    expect(accepted.code).toBe(0);
    expect(fake.objects('peers').map((p) => p.name)).toEqual(['ns1']);
  });
});

/** `dnsctl apply` with stdin and stdout on a pseudo-terminal (util-linux script); types `answer` at the question. */
function applyOnTerminal(config: string, answer: string, env: Record<string, string>): Promise<CliRun> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, CLI_PATH, 'apply', config].map(quote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...baseEnv(), ...env, SHELL: '/bin/sh' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let answered = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (!answered && stdout.includes('(yes/no)')) {
      answered = true;
      child.stdin.write(`${answer}\n`);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      child.stdin.destroy();
      resolve({ code, signal, stdout: stdout.replace(/\r\n/g, '\n'), stderr });
    });
  });
}
