/**
 * What the account (which dnsctl does not control) can hold, through the built CLI: duplicates of
 * a declared name (never hidden), a peer renamed in the dashboard (renamed back, id kept), an
 * address dnsctl cannot parse (compared as text, never a crash); and addresses in the config
 * that Cloudflare cannot reach (warned about).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, humanLines, randomHex, removeTempDirs, runCli, tempDir, writeConfig, type ConfigSpec } from '../support/cli.js';
import { closeFakes, nameCounts, startFake, writes } from '../support/fake.js';

beforeAll(assertBuilt);
afterAll(closeFakes);
afterAll(removeTempDirs);

const SPEC: ConfigSpec = {
  tsigs: [{ name: 'k.example.', secretVar: 'K' }],
  peers: [
    { name: 'ns1', ip: '192.0.2.1', tsig: 'k.example.' },
    { name: 'ns2', ip: '192.0.2.2' },
  ],
};

async function setup() {
  const fake = await startFake({ latencyMs: 1 });
  const dir = tempDir();
  const config = writeConfig(dir, SPEC);
  const env = { CLOUDFLARE_API_TOKEN: fake.token, CLOUDFLARE_BASE_URL: fake.url, K: randomHex(32) };
  const dnsctl = (...args: string[]) => runCli([args[0]!, config, '--state', join(dir, 'state.json'), ...args.slice(1)], { env });
  return { fake, dnsctl };
}

describe('the account holds surprises', () => {
  it('duplicates of a declared name show in the plan (exit 2) and are deleted, the managed one kept', async () => {
    const { fake, dnsctl } = await setup();
    expect((await dnsctl('apply')).code).toBe(0);
    const mine = fake.objects('peers').find((p) => p.name === 'ns2')!;
    const extra = fake.seed('peers', { name: 'ns2', ip: '192.0.2.2', port: 53 });
    const plan = await dnsctl('plan', '--detailed-exitcode');
    expect(plan.code, plan.stdout).toBe(2);
    expect(plan.stdout).toMatch(new RegExp(`- ns2\\s+delete[^]*why: duplicate of peer "ns2" \\(id ${mine.id}, the one dnsctl manages\\)`));
    fake.resetStats();
    expect((await dnsctl('apply')).code).toBe(0);
    expect(writes(fake).map((r) => `${r.method} ${r.path.split('/').pop()}`)).toEqual([`DELETE ${extra.id}`]);
    expect(nameCounts(fake, 'peers').get('ns2')).toBe(1);
  });

  it('a peer renamed in the dashboard is renamed back with one PUT, its id kept', async () => {
    const { fake, dnsctl } = await setup();
    expect((await dnsctl('apply')).code).toBe(0);
    const ns1 = fake.objects('peers').find((p) => p.name === 'ns1')!;
    const response = await fetch(`${fake.url}/accounts/${fake.accountId}/secondary_dns/peers/${ns1.id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${fake.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...ns1, name: 'ns1-renamed-by-hand' }),
    });
    expect(response.status).toBe(200);
    fake.resetStats();
    const applied = await dnsctl('apply');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/name:\s+ns1-renamed-by-hand → ns1/);
    expect(writes(fake).map((r) => `${r.method} ${r.path.split('/').pop()}`)).toEqual([`PUT ${ns1.id}`]);
    expect(fake.objects('peers').find((p) => p.id === ns1.id)?.name).toBe('ns1');
  });

  it('an address dnsctl cannot parse is compared as text: the plan shows the change, no crash', async () => {
    const { fake, dnsctl } = await setup();
    fake.seed('peers', { name: 'ns2', ip: 'fe80::zz%weird', port: 53 });
    const plan = await dnsctl('plan', '--detailed-exitcode');
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toMatch(/ip:\s+fe80::zz%weird → 192\.0\.2\.2/);
    expect(plan.stderr).not.toContain('internal error');
  });

  it('validate warns about loopback and link-local peers and refuses broadcast', async () => {
    const dir = tempDir();
    const warned = await runCli(['validate', writeConfig(dir, { peers: [{ name: 'lo', ip: '127.0.0.53' }, { name: 'll', ip: 'fe80::53' }] })]);
    expect(warned.code, warned.stderr).toBe(0);
    expect(humanLines(warned.stderr)).toEqual([
      expect.stringMatching(/dnsctl\.yaml:5:9: warning: peers\[0\]\.ip: 127\.0\.0\.53 is a loopback address: Cloudflare cannot reach it/),
      expect.stringMatching(/dnsctl\.yaml:7:9: warning: peers\[1\]\.ip: fe80::53 is a link-local address: Cloudflare cannot reach it/),
    ]);
    const refused = await runCli(['validate', writeConfig(dir, { peers: [{ name: 'all', ip: '255.255.255.255' }] })]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/dnsctl\.yaml:5:9: error: peers\[0\]\.ip: 255\.255\.255\.255 is the broadcast address, not a server/);
  });
});
