/**
 * `dnsctl import` in-process over HTTP against the fake: what it refuses (nothing written), and
 * that without --secrets-out the secrets are written nowhere.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ACCOUNT_ID, removeTempDirs, tempDir } from '../support/cli.js';
import { closeFakes, runInProcess, startFake } from '../support/fake.js';

afterAll(closeFakes);
afterAll(removeTempDirs);

const SECRET = Buffer.from('import-integration-secret').toString('base64');

async function setup() {
  const fake = await startFake({ zones: [{ name: 'example.com' }] });
  const env = { CLOUDFLARE_API_TOKEN: fake.token, CLOUDFLARE_BASE_URL: fake.url, CLOUDFLARE_ACCOUNT_ID: ACCOUNT_ID };
  const dir = tempDir();
  return { fake, env, dir, out: join(dir, 'dnsctl.yaml') };
}

describe('dnsctl import (in-process)', () => {
  it('without --secrets-out: lists the variables, writes the secrets nowhere; pages through the zones', async () => {
    const s = await setup();
    for (let i = 0; i < 55; i++) s.fake.seedZone(`z${String(i).padStart(2, '0')}.example`);
    const zone = s.fake.zonesList().find((z) => z.name === 'z54.example')!;
    const tsig = s.fake.seed('tsigs', { name: 'k.', algo: 'hmac-sha256.', secret: SECRET });
    const peer = s.fake.seed('peers', { name: 'ns1', ip: '192.0.2.1', port: 53, tsig_id: tsig.id });
    s.fake.seedLink(zone.id, 'incoming', { peers: [peer.id] });

    const run = await runInProcess(['import', '--out', s.out], { env: s.env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Set these environment variables to the TSIG secrets before plan or apply (dnsctl wrote the secrets nowhere');
    expect(run.stdout).toContain('  TSIG_K_SECRET  (TSIG "k.")');
    expect(run.stdout).toContain('Checked: the config validates and a plan against the account shows no changes.');
    expect(readdirSync(s.dir).sort()).toEqual(['dnsctl.state.json', 'dnsctl.yaml']);
    for (const file of readdirSync(s.dir)) expect(readFileSync(join(s.dir, file), 'utf8')).not.toContain(SECRET);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
    // The 56 zones took two pages; the link of the last one is declared.
    expect(s.fake.requests.filter((r) => r.path.endsWith('/zones')).map((r) => r.query.page ?? '1')).toEqual(['1', '2']);
    expect(readFileSync(s.out, 'utf8')).toContain(`  - name: "z54.example"\n    zone_id: "${zone.id}"\n    incoming:\n      peers: ["ns1"]`);
  });

  it('refuses an existing state or secrets file, and an account a config cannot describe: nothing written', async () => {
    const s = await setup();
    s.fake.seed('tsigs', { name: 'not a dns name!', algo: 'hmac-sha256.', secret: SECRET });

    writeFileSync(join(s.dir, 'dnsctl.state.json'), '{}');
    const stateExists = await runInProcess(['import', '--out', s.out], { env: s.env });
    expect(stateExists.code).toBe(1);
    expect(stateExists.stderr).toContain(`${join(s.dir, 'dnsctl.state.json')} already exists; dnsctl import never overwrites a file`);

    writeFileSync(join(s.dir, 'taken.env'), 'keep me');
    const secretsExist = await runInProcess(['import', '--out', s.out, '--state', join(s.dir, 'other.json'), '--secrets-out', join(s.dir, 'taken.env')], { env: s.env });
    expect(secretsExist.code).toBe(1);
    expect(readFileSync(join(s.dir, 'taken.env'), 'utf8')).toBe('keep me');

    const invalid = await runInProcess(['import', '--out', s.out, '--state', join(s.dir, 'other.json'), '--secrets-out', join(s.dir, 'new.env')], { env: s.env });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('the account holds objects a dnsctl config cannot declare as they are');
    expect(invalid.stderr).toContain('tsigs[0].name');
    expect(invalid.stderr).not.toContain(SECRET);
    expect(readdirSync(s.dir).sort()).toEqual(['dnsctl.state.json', 'taken.env']);
    expect(s.fake.requests.every((r) => r.method === 'GET')).toBe(true);
    expect(existsSync(s.out)).toBe(false);
  });

  it('needs an account: --account-id or CLOUDFLARE_ACCOUNT_ID', async () => {
    const s = await setup();
    const run = await runInProcess(['import', '--out', s.out], { env: { ...s.env, CLOUDFLARE_ACCOUNT_ID: undefined } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('dnsctl import needs the account: --account-id ID or the CLOUDFLARE_ACCOUNT_ID environment variable');
  });
});
