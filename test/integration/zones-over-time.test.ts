/**
 * Zones and links across runs, over HTTP against the fake: a zone dropped from the config, a
 * zone deleted in Cloudflare, a hand-made link in a zone the config does not declare, and a
 * delete refused as a conflict that must stay dnsctl's to do later.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StateFile } from '../../src/report/state.js';
import { randomHex, readJson, removeTempDirs, tempDir, writeConfig, type ConfigSpec } from '../support/cli.js';
import { closeFakes, runInProcess, startFake, writes } from '../support/fake.js';

afterAll(closeFakes);
afterAll(removeTempDirs);

const COM = '269d8f4853475ca241c4e730be286b20';
const NET = '369d8f4853475ca241c4e730be286b20';

async function setup() {
  const fake = await startFake({ latencyMs: 1, zones: [{ name: 'example.com', id: COM }, { name: 'example.net', id: NET }] });
  const dir = tempDir();
  const state = join(dir, 'state.json');
  const env = { CLOUDFLARE_API_TOKEN: fake.token, CLOUDFLARE_BASE_URL: fake.url, K: randomHex(32) };
  const run = (spec: ConfigSpec, command: string, ...extra: string[]) =>
    runInProcess([command, writeConfig(dir, spec), '--state', state, '--timeout', '5', '--yes', ...extra].filter((a) => command === 'apply' || a !== '--yes'), { env });
  return { fake, state, run };
}

const BOTH: ConfigSpec = {
  manage: 'all',
  peers: [{ name: 'ns1', ip: '192.0.2.1' }],
  zones: [
    { name: 'example.com', zone_id: COM, incoming: { peers: ['ns1'] } },
    { name: 'example.net', zone_id: NET, incoming: { peers: ['ns1'] } },
  ],
};
const ONLY_COM: ConfigSpec = { ...BOTH, zones: [BOTH.zones![0]!] };

describe('zones over time', () => {
  it('manage: all deletes the links dnsctl made in a dropped zone, never a hand-made link there', async () => {
    const { fake, run } = await setup();
    expect((await run(BOTH, 'apply')).code).toBe(0);
    fake.seedLink(NET, 'outgoing', { peers: [fake.objects('peers')[0]!.id] });
    const plan = await run(ONLY_COM, 'plan', '--output', 'json');
    const ops = (JSON.parse(plan.stdout) as { operations: Array<{ id: string; action: string }> }).operations.filter((op) => op.action !== 'noop');
    expect(ops.map((op) => `${op.action} ${op.id.split('#')[0]}`)).toEqual(['delete incoming:example.net']);
    expect((await run(ONLY_COM, 'apply')).code).toBe(0);
    expect(fake.links(NET).incoming).toBeNull();
    expect(fake.links(NET).outgoing).not.toBeNull();
  });

  it('a zone deleted in Cloudflare that only the state file remembers has no links: no error', async () => {
    const { fake, run } = await setup();
    expect((await run(BOTH, 'apply')).code).toBe(0);
    expect((await run(ONLY_COM, 'apply')).code).toBe(0); // example.net's link deleted, the zone forgotten
    // Now the zone itself goes (its id answers 7003), and a state file that still names it is read.
    fake.injectFault({ kind: 'status', status: 404, path: new RegExp(`/zones/${NET}/`), times: Infinity, errors: [{ code: 7003, message: 'Could not route' }] });
    const again = await run(ONLY_COM, 'plan', '--detailed-exitcode');
    expect(again.code, again.stdout + again.stderr).toBe(0);
  });

  it('a peer linked in a zone the config does not declare is not deleted: a conflict naming the link', async () => {
    const { fake, state, run } = await setup();
    const spec: ConfigSpec = { peers: [{ name: 'ns1', ip: '192.0.2.1' }, { name: 'gone', ip: '192.0.2.2' }] };
    expect((await run(spec, 'apply')).code).toBe(0);
    const gone = fake.objects('peers').find((p) => p.name === 'gone')!;
    fake.seedLink(NET, 'incoming', { peers: [gone.id] }); // made by hand, in a zone dnsctl does not know
    fake.resetStats();
    const applied = await run({ peers: [spec.peers![0]!] }, 'apply');
    expect(applied.code).toBe(1);
    expect(applied.stdout).toContain('incoming transfer link "example.net"');
    expect(writes(fake)).toEqual([]);
    // The refused delete stays dnsctl's: its id is kept in the state file, so it happens once the link is gone.
    const entry = readJson<StateFile>(state).resources.find((e) => e.name === 'gone');
    expect(entry?.id).toBe(gone.id);
    await fetch(`${fake.url}/zones/${NET}/secondary_dns/incoming`, { method: 'DELETE', headers: { authorization: `Bearer ${fake.token}` } });
    const later = await run({ peers: [spec.peers![0]!] }, 'apply');
    expect(later.code, later.stdout + later.stderr).toBe(0);
    expect(fake.objects('peers').map((p) => p.name)).toEqual(['ns1']);
  });
});
