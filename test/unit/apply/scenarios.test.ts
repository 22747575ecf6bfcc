/**
 * plan → apply → plan through the real planner, executor and kinds against the in-memory account
 * (recorded live-API semantics), carrying the state file between runs as the CLI does. The core
 * scenarios run under every combination of the behaviours the docs leave open.
 */
import { describe, expect, it } from 'vitest';
import { executePlan } from '../../../src/apply/execute.js';
import { createCloudflareClient, createSecondaryDnsApi } from '../../../src/cloudflare/index.js';
import { silentLogger } from '../../../src/log.js';
import type { Result } from '../../../src/apply/types.js';
import { buildPlan } from '../../../src/plan/build.js';
import { hasChanges, type Plan } from '../../../src/plan/types.js';
import { observeAccount } from '../../../src/observe.js';
import { buildAppliedState, inventoryFrom, type StateFile } from '../../../src/report/state.js';
import { ACCOUNT_KINDS } from '../../../src/resources/index.js';
import type { DesiredState } from '../../../src/resources/types.js';
import { ACCOUNT, RUN_FACTS, desired, incoming, outgoing, peer, tsig, withManage, zone } from '../../support/desired.js';
import { BEHAVIOURS, MemoryApi, type Call } from '../../support/memory-api.js';
import { memoryTransport } from '../../support/memory-transport.js';


interface Run {
  plan: Plan;
  results: Result[];
  state: StateFile;
  /** Every call of the run, observe included. */
  calls: Call[];
}

/** One `dnsctl apply`: observe, plan with the state file's record, execute, record. */
async function applyRun(api: MemoryApi, want: DesiredState, state: StateFile | null = null): Promise<Run> {
  const from = api.calls.length;
  const plan = buildPlan(want, await observeAccount(api, want), inventoryFrom(state));
  const results = await executePlan(plan, { api, concurrency: 4 });
  return { plan, results, state: buildAppliedState(plan, results, state, RUN_FACTS), calls: api.calls.slice(from) };
}

/** `dnsctl plan`: what would change now. */
async function planNow(api: MemoryApi, want: DesiredState, state: StateFile | null = null): Promise<Plan> {
  return buildPlan(want, await observeAccount(api, want), inventoryFrom(state));
}

/** Observing costs one list per account-scoped kind. */
const LISTS = ACCOUNT_KINDS.length;
const isRead = (c: Call) => c.method === 'list' || c.method === 'get';
const describeCall = (c: Call) => `${c.verb ?? c.method} ${c.target}`;
const failures = (run: Run) => run.results.filter((r) => r.status !== 'applied');
const byName = (api: MemoryApi, collection: string, name: string) => api.objects(collection).filter((o) => o.name === name);

describe.each(BEHAVIOURS)('peer POST $peerPost, PUT $peerPut', (behaviour) => {

  it(`a TSIG the account holds as "Key.Example." is the config's "key.example": nothing created`, async () => {
    const api = new MemoryApi(behaviour);
    const key = api.seed('tsigs', { name: 'Key.Example.', algo: 'hmac-sha512.', secret: 'c2VjcmV0' });
    const run = await applyRun(api, desired(tsig('key.example', 'c2VjcmV0'), peer('p1', { tsig: 'KEY.EXAMPLE.' })));
    expect(failures(run)).toEqual([]);
    expect(run.calls.filter((c) => c.method === 'create').map((c) => c.target)).toEqual(['peers']);
    expect(api.objects('tsigs').map((t) => t.id)).toEqual([key.id]);
    expect(api.objects('peers')[0]!.tsig_id).toBe(key.id);
  });

  it(`TSIG names without the dot in mixed case and a peer with only a name: one object each, then no changes`, async () => {
    const api = new MemoryApi(behaviour);
    const want = desired(tsig('Key.One', 'b25l'), tsig('key.TWO.', 'dHdv'), peer('name-only', { ip: null }), peer('signed', { ip: null, tsig: 'KEY.one' }));
    const first = await applyRun(api, want);
    expect(first.plan.operations.map((op) => [op.id, op.action])).toEqual([
      ['tsig:key.one.', 'create'],
      ['tsig:key.two.', 'create'],
      ['peer:name-only', 'create'],
      ['peer:signed', 'create'],
    ]);
    expect(failures(first)).toEqual([]);
    const keyOne = byName(api, 'tsigs', 'key.one.');
    expect(keyOne).toHaveLength(1);
    expect(byName(api, 'tsigs', 'key.two.')).toHaveLength(1);
    expect(byName(api, 'peers', 'name-only')).toEqual([{ id: expect.any(String), name: 'name-only', ip: '', port: 0, ixfr_enable: false }]);
    expect(byName(api, 'peers', 'signed')).toEqual([{ id: expect.any(String), name: 'signed', ip: '', port: 0, ixfr_enable: false, tsig_id: keyOne[0]!.id }]);

    const second = await planNow(api, want, first.state);
    expect(second.operations.map((op) => op.action)).toEqual(['noop', 'noop', 'noop', 'noop']);
    expect(hasChanges(second)).toBe(false);
  });

  it(`removing tsig from a peer sends tsig_id "" and clears it; the next plan is empty`, async () => {
    const api = new MemoryApi(behaviour);
    const before = desired(tsig('k1', 'czE='), peer('p1', { tsig: 'k1' }));
    const first = await applyRun(api, before);
    expect(failures(first)).toEqual([]);
    expect(api.objects('peers')[0]!.tsig_id).toBe(api.objects('tsigs')[0]!.id);

    const after = desired(tsig('k1', 'czE='), peer('p1'));
    const second = await applyRun(api, after, first.state);
    expect(failures(second)).toEqual([]);
    const writes = second.calls.filter((c) => !isRead(c));
    expect(writes.map(describeCall)).toEqual(['PUT peers']);
    expect(writes[0]!.body).toHaveProperty('tsig_id', '');
    expect(api.objects('peers')).toEqual([{ id: expect.any(String), name: 'p1', ip: '192.0.2.1', port: 53, ixfr_enable: false }]);
    expect(hasChanges(await planNow(api, after, second.state))).toBe(false);
  });

  it(`clearing ip and port of a peer clears them (sent as "" and 0); the next plan is empty`, async () => {
    const api = new MemoryApi(behaviour);
    const first = await applyRun(api, desired(peer('p1', { ip: '192.0.2.9', port: 5353, ixfr_enable: true })));
    const after = desired(peer('p1', { ip: null }));
    const second = await applyRun(api, after, first.state);
    expect(failures(second)).toEqual([]);
    const put = second.calls.filter((c) => !isRead(c));
    expect(put.map(describeCall)).toEqual(['PUT peers']);
    expect(put[0]!.body).toMatchObject({ ip: '', port: 0, ixfr_enable: false, tsig_id: '' });
    expect(api.objects('peers')).toEqual([{ id: expect.any(String), name: 'p1', ip: '', port: 0, ixfr_enable: false }]);
    expect(hasChanges(await planNow(api, after, second.state))).toBe(false);
  });

  it(`a fresh apply of N TSIGs and N peers costs ${behaviour.peerPost === 'name-only' ? '2 + 3N' : '2 + 2N'} calls`, async () => {
    const n = 4;
    const api = new MemoryApi(behaviour);
    const want = desired(
      ...Array.from({ length: n }, (_, i) => tsig(`k${i}`, 'czE=')),
      ...Array.from({ length: n }, (_, i) => peer(`p${i}`, { ip: `192.0.2.${i + 1}`, tsig: `k${i}` })),
    );
    const run = await applyRun(api, want);
    expect(failures(run)).toEqual([]);
    const count = (what: string) => run.calls.filter((c) => describeCall(c) === what).length;
    expect(run.calls.filter((c) => c.method === 'list').map((c) => c.target)).toEqual(ACCOUNT_KINDS.map((k) => k.configKey));
    expect(count('create tsigs')).toBe(n);
    expect(count('create peers')).toBe(n);
    expect(count('PUT peers')).toBe(behaviour.peerPost === 'name-only' ? n : 0);
    // One list per account kind (2 when there were only TSIGs and peers), then 3N or 2N writes.
    expect(run.calls).toHaveLength(LISTS + (behaviour.peerPost === 'name-only' ? 3 * n : 2 * n));
    expect(api.objects('peers').map((p) => [p.name, p.ip, p.port, p.tsig_id])).toEqual(
      Array.from({ length: n }, (_, i) => [`p${i}`, `192.0.2.${i + 1}`, 53, byName(api, 'tsigs', `k${i}.`)[0]!.id]),
    );
    expect(hasChanges(await planNow(api, want, run.state))).toBe(false);
  });

  it(`a peer changed by hand is put back with one PUT`, async () => {
    const api = new MemoryApi(behaviour);
    const want = desired(peer('p1', { ip: '192.0.2.1', port: 53 }));
    const first = await applyRun(api, want);
    const stored = api.store.get('peers')![0]!;
    Object.assign(stored, { ip: '198.51.100.1', port: 5353, ixfr_enable: true });
    const second = await applyRun(api, want, first.state);
    expect(second.calls.filter((c) => !isRead(c)).map(describeCall)).toEqual(['PUT peers']);
    expect(api.objects('peers')).toEqual([{ id: stored.id, name: 'p1', ip: '192.0.2.1', port: 53, ixfr_enable: false }]);
    expect(hasChanges(await planNow(api, want, second.state))).toBe(false);
  });
});

describe.each(['name-only', 'full-body'] as const)('over HTTP with peer POST %s', (peerPost) => {
  it(`a fresh apply of N TSIGs and N peers sends ${peerPost === 'name-only' ? '2 + 3N' : '2 + 2N'} requests through the real client`, async () => {
    const n = 3;
    const api = new MemoryApi({ peerPost });
    const transport = memoryTransport(api);
    const requests: string[] = [];
    const client = createCloudflareClient({
      baseUrl: 'http://127.0.0.1/client/v4',
      credentials: { kind: 'token', token: 'scenario-token' },
      transport: async (request) => {
        requests.push(request.method);
        return transport(request);
      },
      pacer: null,
      logger: silentLogger,
    });
    const cloudflare = createSecondaryDnsApi(client, ACCOUNT);
    const want = desired(
      ...Array.from({ length: n }, (_, i) => tsig(`k${i}`, 'czE=')),
      ...Array.from({ length: n }, (_, i) => peer(`p${i}`, { tsig: `k${i}` })),
    );
    const plan = buildPlan(want, await observeAccount(cloudflare, want), inventoryFrom(null));
    const results = await executePlan(plan, { api: cloudflare, concurrency: 2 });
    expect(results.filter((r) => r.status !== 'applied')).toEqual([]);
    const count = (method: string) => requests.filter((m) => m === method).length;
    expect([count('GET'), count('POST'), count('PUT')]).toEqual([LISTS, 2 * n, peerPost === 'name-only' ? n : 0]);
    expect(requests).toHaveLength(LISTS + (peerPost === 'name-only' ? 3 * n : 2 * n));
  });
});

describe('zone links', () => {
  const ZONE_ID = '269d8f4853475ca241c4e730be286b20';

  function account(behaviour = BEHAVIOURS[0]!) {
    const api = new MemoryApi(behaviour);
    api.seedZone('example.com.', ZONE_ID);
    return api;
  }

  const bothLinks = (example = zone('example.com', ZONE_ID)) =>
    desired(peer('primary'), peer('secondary', { ip: '192.0.2.2' }), incoming(example, ['primary']), outgoing(example, ['secondary']));

  it.each(BEHAVIOURS)('creates incoming and outgoing (enabled after the POST); a second run only reads (POST $peerPost, PUT $peerPut)', async (behaviour) => {
    const api = account(behaviour);
    const example = zone('Example.com'); // no zone_id: resolved by name
    const want = bothLinks(example);
    const first = await applyRun(api, want);
    expect(failures(first)).toEqual([]);
    const writes = first.calls.filter((c) => !isRead(c)).map(describeCall);
    expect(writes.filter((w) => !w.endsWith('peers'))).toEqual(['POST incoming', 'POST outgoing', 'POST outgoing/enable']);
    expect(writes.indexOf('POST incoming')).toBeGreaterThan(writes.lastIndexOf(behaviour.peerPost === 'name-only' ? 'PUT peers' : 'create peers'));
    const ids = Object.fromEntries(api.objects('peers').map((p) => [p.name, p.id]));
    expect(api.link(ZONE_ID, 'incoming')).toMatchObject({ peers: [ids.primary], auto_refresh_seconds: 86_400 });
    expect(api.link(ZONE_ID, 'outgoing')).toMatchObject({ peers: [ids.secondary], enabled: true });

    const second = await applyRun(api, want, first.state);
    expect(second.results).toEqual([]);
    expect(second.calls.every(isRead)).toBe(true);
    expect(second.calls.map(describeCall).sort()).toEqual(['get incoming', 'get outgoing', 'get outgoing/status', ...ACCOUNT_KINDS.map((k) => `list ${k.configKey}`), 'list zones'].sort());
  });

  it('disabling outgoing is one disable call; the link and its peers stay', async () => {
    const api = account();
    const first = await applyRun(api, bothLinks());
    const example = zone('example.com', ZONE_ID);
    const want = desired(peer('primary'), peer('secondary', { ip: '192.0.2.2' }), incoming(example, ['primary']), outgoing(example, ['secondary'], false));
    const second = await applyRun(api, want, first.state);
    expect(failures(second)).toEqual([]);
    expect(second.calls.filter((c) => !isRead(c)).map(describeCall)).toEqual(['POST outgoing/disable']);
    expect(api.link(ZONE_ID, 'outgoing')).toMatchObject({ enabled: false, peers: [api.objects('peers').find((p) => p.name === 'secondary')!.id] });
    expect(hasChanges(await planNow(api, want, second.state))).toBe(false);
  });

  it('removing a peer from a link is one PUT of the link with the remaining peer ids', async () => {
    const api = account();
    const example = zone('example.com', ZONE_ID);
    const first = await applyRun(api, desired(peer('a'), peer('b'), incoming(example, ['a', 'b'])));
    const ids = Object.fromEntries(api.objects('peers').map((p) => [p.name, p.id]));
    expect([...(api.link(ZONE_ID, 'incoming')!.peers as string[])].sort()).toEqual([ids.a, ids.b].sort());

    const want = desired(peer('a'), peer('b'), incoming(example, ['a']));
    const second = await applyRun(api, want, first.state);
    expect(second.plan.operations.find((op) => op.kind === 'incoming')!.changes).toEqual([
      { field: 'peers', before: ['a', 'b'], after: ['a'], sensitive: false, added: [], removed: ['b'] },
    ]);
    const writes = second.calls.filter((c) => !isRead(c));
    expect(writes.map(describeCall)).toEqual(['PUT incoming']);
    expect(writes[0]!.body).toMatchObject({ peers: [ids.a], auto_refresh_seconds: 86_400 });
    expect(api.link(ZONE_ID, 'incoming')!.peers).toEqual([ids.a]);
    expect(hasChanges(await planNow(api, want, second.state))).toBe(false);
  });

  it('the in-memory account refuses to delete a peer a link uses (so a wrong order fails the tests)', async () => {
    const api = account();
    await applyRun(api, desired(peer('a'), incoming(zone('example.com', ZONE_ID), ['a'])));
    const id = api.objects('peers')[0]!.id;
    await expect(api.remove(`/accounts/${api.accountId}/secondary_dns/peers/${id}`)).rejects.toThrow(`peer ${id} is used by zone ${ZONE_ID}`);
  });

  it.each(BEHAVIOURS)('renaming a linked peer: create the new one, re-point the link, delete the old one (POST $peerPost, PUT $peerPut)', async (behaviour) => {
    const api = account(behaviour);
    const example = zone('example.com', ZONE_ID);
    const first = await applyRun(api, desired(peer('old-primary'), outgoing(example, ['old-primary'])));
    const oldId = api.objects('peers')[0]!.id;

    const want = desired(peer('new-primary', { ip: '192.0.2.77' }), outgoing(example, ['new-primary']));
    const second = await applyRun(api, want, first.state);
    expect(failures(second)).toEqual([]);
    const writes = second.calls.filter((c) => !isRead(c)).map(describeCall);
    const creates = behaviour.peerPost === 'name-only' ? ['create peers', 'PUT peers'] : ['create peers'];
    expect(writes).toEqual([...creates, 'PUT outgoing', 'remove peers']);
    const newPeer = api.objects('peers');
    expect(newPeer.map((p) => [p.name, p.ip])).toEqual([['new-primary', '192.0.2.77']]);
    expect(newPeer[0]!.id).not.toBe(oldId);
    expect(api.link(ZONE_ID, 'outgoing')).toMatchObject({ peers: [newPeer[0]!.id], enabled: true });
    expect(hasChanges(await planNow(api, want, second.state))).toBe(false);
  });

  it('drops the incoming link the config no longer declares when the state file records it', async () => {
    const api = account();
    const first = await applyRun(api, bothLinks());
    const example = zone('example.com', ZONE_ID);
    const want = desired(peer('primary'), peer('secondary', { ip: '192.0.2.2' }), outgoing(example, ['secondary']));
    const second = await applyRun(api, want, first.state);
    expect(failures(second)).toEqual([]);
    expect(second.calls.filter((c) => !isRead(c)).map(describeCall)).toEqual(['remove incoming']);
    expect(api.link(ZONE_ID, 'incoming')).toBeNull();
    expect(api.link(ZONE_ID, 'outgoing')).toMatchObject({ enabled: true });
    expect(hasChanges(await planNow(api, want, second.state))).toBe(false);
  });

  it('under manage: all drops an incoming link dnsctl never recorded, then the peer only it used', async () => {
    const api = account();
    const hand = api.seed('peers', { name: 'by-hand', ip: '192.0.2.50', port: 53, ixfr_enable: false });
    api.seedLink(ZONE_ID, 'incoming', { peers: [hand.id], auto_refresh_seconds: 3600 });
    const example = zone('example.com', ZONE_ID);
    const want = withManage(desired(peer('secondary', { ip: '192.0.2.2' }), outgoing(example, ['secondary'])), 'all');
    const run = await applyRun(api, want);
    expect(failures(run)).toEqual([]);
    const writes = run.calls.filter((c) => !isRead(c)).map(describeCall);
    expect(writes.indexOf('remove incoming')).toBeGreaterThan(-1);
    expect(writes.indexOf('remove peers')).toBeGreaterThan(writes.indexOf('remove incoming'));
    expect(api.link(ZONE_ID, 'incoming')).toBeNull();
    expect(api.objects('peers').map((p) => p.name)).toEqual(['secondary']);
    expect(hasChanges(await planNow(api, want, run.state))).toBe(false);
  });
});

describe('renames and duplicates through the executor', () => {
  it('a peer renamed by hand is renamed back with one PUT, keeping its id and the link to it', async () => {
    const ZONE_ID = 'aaaa8f4853475ca241c4e730be286b20';
    const api = new MemoryApi();
    api.seedZone('example.org', ZONE_ID);
    const example = zone('example.org', ZONE_ID);
    const want = desired(peer('p1'), incoming(example, ['p1']));
    const first = await applyRun(api, want);
    const id = api.objects('peers')[0]!.id;
    api.store.get('peers')![0]!.name = 'renamed-in-dashboard';

    const second = await applyRun(api, want, first.state);
    expect(second.plan.operations.find((op) => op.kind === 'peer')).toMatchObject({ action: 'update', cloudflareId: id });
    const writes = second.calls.filter((c) => !isRead(c));
    expect(writes.map(describeCall)).toEqual(['PUT peers']);
    expect(writes[0]!.path).toBe(`/accounts/${api.accountId}/secondary_dns/peers/${id}`);
    expect(writes[0]!.body).toMatchObject({ name: 'p1' });
    expect(api.objects('peers').map((p) => [p.id, p.name])).toEqual([[id, 'p1']]);
    expect(api.link(ZONE_ID, 'incoming')!.peers).toEqual([id]);
    expect(hasChanges(await planNow(api, want, second.state))).toBe(false);
  });

  it('previous_names renames in place: one PUT, same id, and the state file follows the new name', async () => {
    const api = new MemoryApi();
    const first = await applyRun(api, desired(peer('old-name')));
    const id = api.objects('peers')[0]!.id;
    const want = desired(peer('new-name', { previousNames: ['old-name'] }));
    const second = await applyRun(api, want, first.state);
    expect(second.calls.filter((c) => !isRead(c)).map(describeCall)).toEqual(['PUT peers']);
    expect(api.objects('peers').map((p) => [p.id, p.name])).toEqual([[id, 'new-name']]);
    expect(inventoryFrom(second.state).idOf('peer', 'new-name')).toBe(id);
    expect(hasChanges(await planNow(api, desired(peer('new-name')), second.state))).toBe(false);
  });

  it('duplicates made by a racing run are deleted when the state file records the managed one', async () => {
    const api = new MemoryApi();
    const want = desired(tsig('k1', 'czE='), peer('p1', { tsig: 'k1' }));
    const first = await applyRun(api, want);
    const keptPeer = api.objects('peers')[0]!.id;
    const keptKey = api.objects('tsigs')[0]!.id;
    const dupKey = api.seed('tsigs', { name: 'K1', algo: 'hmac-sha512.', secret: 'czE=' });
    const dupPeer = api.seed('peers', { name: 'p1', ip: '192.0.2.1', port: 53, ixfr_enable: false, tsig_id: dupKey.id });

    const plan = await planNow(api, want, first.state);
    expect(plan.operations.filter((op) => op.action !== 'noop').map((op) => [op.id, op.action, op.dependsOn])).toEqual([
      [`peer:p1#${dupPeer.id}`, 'delete', []],
      [`tsig:K1.#${dupKey.id}`, 'delete', [`peer:p1#${dupPeer.id}`]],
    ]);
    const second = await applyRun(api, want, first.state);
    expect(failures(second)).toEqual([]);
    expect(api.objects('tsigs').map((t) => t.id)).toEqual([keptKey]);
    expect(api.objects('peers').map((p) => p.id)).toEqual([keptPeer]);
    expect(hasChanges(await planNow(api, want, second.state))).toBe(false);
  });

  it('without a record, a declared name held twice fails as a conflict and nothing is written', async () => {
    const api = new MemoryApi();
    api.seed('peers', { name: 'p1', ip: '192.0.2.1', port: 53, ixfr_enable: false });
    api.seed('peers', { name: 'p1', ip: '192.0.2.1', port: 53, ixfr_enable: false });
    const run = await applyRun(api, desired(peer('p1')));
    expect(run.results.map((r) => [r.op.id, r.status])).toEqual([['peer:p1', 'failed']]);
    expect(run.calls.every(isRead)).toBe(true);
    expect(api.objects('peers')).toHaveLength(2);
  });
});
