/**
 * The core scenarios over HTTP against the fake under the four behaviours the docs leave open
 * (peer POST keeps only the name or takes the whole body; peer PUT replaces or merges), with the
 * recorded live answers (TSIG names gain a dot, no tsig_id when unset, no result_info):
 * fresh apply, no-op, drift put back, a TSIG cleared from a peer, an address cleared.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { randomHex, removeTempDirs, tempDir, writeConfig, type ConfigSpec } from '../support/cli.js';
import { actualObjects, closeFakes, expectedObjects, nameCounts, requestsTo, runInProcess, startFake, writes, type FakeCloudflare } from '../support/fake.js';

afterAll(closeFakes);
afterAll(removeTempDirs);

const BEHAVIOURS = [
  { peerPost: 'name-only', peerPut: 'replace' },
  { peerPost: 'name-only', peerPut: 'merge' },
  { peerPost: 'full-body', peerPut: 'replace' },
  { peerPost: 'full-body', peerPut: 'merge' },
] as const;

/** TSIG names without the dot and in mixed case, a peer with only a name. */
const SPEC: ConfigSpec = {
  tsigs: [
    { name: 'Transfer.Example', secretVar: 'S1' },
    { name: 'second.example', algo: 'hmac-sha256.', secretVar: 'S2' },
  ],
  peers: [
    { name: 'with-tsig', ip: '192.0.2.10', tsig: 'TRANSFER.example.' },
    { name: 'only-a-name' },
    { name: 'plain', ip: '192.0.2.11', port: 5353, ixfr_enable: true },
  ],
};

/** A change made in the dashboard: a PUT straight to the fake. */
async function editByHand(fake: FakeCloudflare & { token: string }, item: string, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${fake.url}/accounts/${fake.accountId}/secondary_dns/${item}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${fake.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

describe.each(BEHAVIOURS)('peer POST $peerPost, peer PUT $peerPut', (behaviour) => {
  async function setup() {
    const fake = await startFake({ latencyMs: 1, ...behaviour });
    const dir = tempDir();
    const env = { CLOUDFLARE_API_TOKEN: fake.token, CLOUDFLARE_BASE_URL: fake.url, S1: randomHex(32), S2: randomHex(32) };
    const state = join(dir, 'state.json');
    const run = (command: string, spec: ConfigSpec, ...extra: string[]) =>
      runInProcess([command, writeConfig(dir, spec), '--state', state, '--timeout', '5', ...extra], { env });
    return { fake, env, run };
  }

  it('fresh apply, then no changes; one object per name; each peer one POST with the whole body and a PUT only where the answer differs', async () => {
    const { fake, env, run } = await setup();
    const applied = await run('apply', SPEC);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(actualObjects(fake)).toEqual(expectedObjects(fake, SPEC, env));
    expect([...nameCounts(fake, 'tsigs').entries()].sort()).toEqual([['second.example.', 1], ['transfer.example.', 1]]);
    expect([...nameCounts(fake, 'peers').values()]).toEqual([1, 1, 1]);
    // Each peer: one POST with the whole body, and a PUT only where the answer differs.
    const puts = requestsTo(fake, 'PUT', 'peers', true).length;
    expect(requestsTo(fake, 'POST', 'peers')).toHaveLength(3);
    expect(puts).toBe(behaviour.peerPost === 'name-only' ? 2 : 0); // the name-only peer needs no PUT either way

    const plan = await run('plan', SPEC, '--detailed-exitcode');
    expect(plan.code, plan.stdout).toBe(0);
    expect(plan.stdout).toContain('No changes. 5 unchanged.');
  });

  it('drift is put back with one PUT; a duplicate never hides; clearing the TSIG and the address of a peer clears them', async () => {
    const { fake, env, run } = await setup();
    expect((await run('apply', SPEC)).code).toBe(0);
    const plain = fake.objects('peers').find((p) => p.name === 'plain')!;
    await editByHand(fake, `peers/${plain.id}`, { name: 'plain', ip: '192.0.2.99', port: 1053, ixfr_enable: true });
    fake.resetStats();
    expect((await run('apply', SPEC)).code).toBe(0);
    expect(writes(fake).map((r) => `${r.method} ${r.path.split('/').slice(-2).join('/')}`)).toEqual([`PUT peers/${plain.id}`]);
    expect(fake.objects('peers').find((p) => p.id === plain.id)).toMatchObject({ ip: '192.0.2.11', port: 5353 });

    fake.seed('peers', { name: 'plain', ip: '192.0.2.11', port: 5353, ixfr_enable: true });
    const dup = await run('plan', SPEC, '--detailed-exitcode');
    expect(dup.code).toBe(2);
    expect(dup.stdout).toContain(`why: duplicate of peer "plain" (id ${plain.id}, the one dnsctl manages)`);
    expect((await run('apply', SPEC)).code).toBe(0);
    expect(nameCounts(fake, 'peers').get('plain')).toBe(1);

    const cleared: ConfigSpec = { ...SPEC, peers: [{ name: 'with-tsig' }, SPEC.peers![1]!, SPEC.peers![2]!] };
    fake.resetStats();
    const applied = await run('apply', cleared);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const put = writes(fake);
    expect(put.map((r) => r.method)).toEqual(['PUT']);
    expect(fake.objects('peers').find((p) => p.name === 'with-tsig')).toEqual({ id: expect.any(String), name: 'with-tsig', ip: '', port: 0, ixfr_enable: false });
    const plan = await run('plan', cleared, '--detailed-exitcode');
    expect(plan.code, plan.stdout).toBe(0);
    expect(actualObjects(fake)).toEqual(expectedObjects(fake, cleared, env));
  });
});
