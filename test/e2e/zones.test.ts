/**
 * All five kinds through the built CLI against the HTTP fake (which answers like the recorded
 * live API and refuses to delete a peer that a zone link still uses, so a wrong order fails):
 * a fresh apply, a no-op apply that only reads, then link changes — disabling outgoing, a peer
 * removed from a link, a linked peer renamed, a zone's incoming link dropped.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, randomHex, removeTempDirs, runCli, tempDir, writeConfig, type ConfigSpec } from '../support/cli.js';
import { actualLinks, actualObjects, closeFakes, expectedLinks, expectedObjects, nameCounts, startFake, writes } from '../support/fake.js';

beforeAll(assertBuilt);
afterAll(closeFakes);
afterAll(removeTempDirs);

const EXAMPLE_COM = '269d8f4853475ca241c4e730be286b20';

const SPEC: ConfigSpec = {
  tsigs: [{ name: 'Xfr.Example', secretVar: 'TSIG_XFR' }],
  peers: [
    { name: 'primary-a', ip: '192.0.2.1', tsig: 'xfr.example.' },
    { name: 'primary-b', ip: '192.0.2.2', tsig: 'xfr.example.' },
    { name: 'secondary', ip: '2001:db8::53', port: 5353 },
    { name: 'signer' },
  ],
  acls: [{ name: 'office', ip_range: '192.0.2.0/24' }],
  zones: [
    { name: 'example.com', zone_id: EXAMPLE_COM, incoming: { peers: ['primary-a', 'primary-b'], auto_refresh_seconds: 3600 }, outgoing: { peers: ['secondary'] } },
    // No zone_id: looked up by name (any case, trailing dot optional).
    { name: 'Example.NET.', incoming: { peers: ['primary-a'] } },
  ],
};

async function setup() {
  const fake = await startFake({ latencyMs: 1, zones: [{ name: 'example.com', id: EXAMPLE_COM }, { name: 'example.net' }] });
  const dir = tempDir();
  const env = { CLOUDFLARE_API_TOKEN: fake.token, CLOUDFLARE_BASE_URL: fake.url, TSIG_XFR: randomHex(32) };
  const state = join(dir, 'state.json');
  const dnsctl = (spec: ConfigSpec, ...args: string[]) => runCli([args[0]!, writeConfig(dir, spec), '--state', state, ...args.slice(1)], { env });
  return { fake, env, dnsctl };
}

describe('zone links end to end', () => {
  it('a fresh apply makes the account match every kind; a second apply only reads', async () => {
    const { fake, env, dnsctl } = await setup();
    const applied = await dnsctl(SPEC, 'apply');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stdout).toContain('Apply: 9 created, 0 updated, 0 deleted');
    expect(actualObjects(fake)).toEqual(expectedObjects(fake, SPEC, env));
    expect(actualLinks(fake, ['example.com', 'example.net'])).toEqual(expectedLinks(SPEC));
    expect(nameCounts(fake, 'tsigs')).toEqual(new Map([['xfr.example.', 1]]));

    fake.resetStats();
    const again = await dnsctl(SPEC, 'apply');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('0 created, 0 updated, 0 deleted, 9 unchanged');
    expect(writes(fake)).toEqual([]);
    // One list per account kind, one zone list (example.net has no zone_id), and per zone its two
    // link GETs plus the outgoing status where an outgoing link exists.
    expect(fake.counts().byMethod.GET).toBe(3 + 1 + 2 + 2 + 1);
  });

  it('disable outgoing, drop a peer from a link, rename a linked peer, drop a zone\'s incoming link', async () => {
    const { fake, env, dnsctl } = await setup();
    expect((await dnsctl(SPEC, 'apply')).code).toBe(0);
    const oldSecondaryId = fake.objects('peers').find((p) => p.name === 'secondary')!.id;

    const next: ConfigSpec = {
      ...SPEC,
      peers: [SPEC.peers![0]!, SPEC.peers![1]!, { name: 'secondary-v2', ip: '2001:db8::53', port: 5353 }, SPEC.peers![3]!],
      zones: [
        { name: 'example.com', zone_id: EXAMPLE_COM, incoming: { peers: ['primary-a'], auto_refresh_seconds: 3600 }, outgoing: { peers: ['secondary-v2'], enabled: false } },
        { name: 'example.net' },
      ],
    };
    const plan = await dnsctl(next, 'plan', '--detailed-exitcode');
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toMatch(/Incoming zone transfers \(Cloudflare as secondary\)\n {2}~ example\.com\s+update[^\n]*\n\s+peers: primary-a, primary-b → primary-a {2}\(-primary-b\)/);
    expect(plan.stdout).toMatch(/- example\.net\s+delete/);
    expect(plan.stdout).toMatch(/Outgoing zone transfers \(Cloudflare as primary\)\n {2}~ example\.com\s+update {2}⚠ dangerous\n\s+peers: {3}secondary → secondary-v2 {2}\(\+secondary-v2 -secondary\)\n\s+enabled: true → false/);
    // Dangerous: a link losing peers, a link disabled, deletes — listed above the details.
    expect(plan.stdout).toMatch(/⚠ \d+ dangerous changes:/);
    expect(plan.stdout).toMatch(/- secondary\s+delete/);

    const applied = await dnsctl(next, 'apply');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    // The fake refuses to delete a peer a link uses: the new peer came first, the link moved, then the old peer went.
    const order = applied.stdout.split('\n').filter((l) => /secondary|example\.com|example\.net/.test(l));
    const at = (pattern: RegExp) => order.findIndex((line) => pattern.test(line));
    expect(at(/peer secondary-v2: created/)).toBeLessThan(at(/outgoing transfer link example\.com: updated/));
    expect(at(/outgoing transfer link example\.com: updated/)).toBeLessThan(at(/peer secondary: deleted/));
    expect(fake.objects('peers').some((p) => p.id === oldSecondaryId)).toBe(false);
    expect(actualLinks(fake, ['example.com', 'example.net'])).toEqual(expectedLinks(next));
    expect(actualObjects(fake)).toEqual(expectedObjects(fake, next, env));

    const after = await dnsctl(next, 'plan', '--detailed-exitcode');
    expect(after.code, after.stdout).toBe(0);
    expect(after.stdout).toContain('No changes.');
  });

  it('a zone the account does not hold is an error naming it, before anything changes', async () => {
    const { fake, dnsctl } = await setup();
    const run = await dnsctl({ ...SPEC, zones: [{ name: 'missing.example', incoming: { peers: ['primary-a'] } }] }, 'apply');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('zone "missing.example" (line');
    expect(run.stderr).toContain('not found in account');
    expect(writes(fake)).toEqual([]);
  });
});
