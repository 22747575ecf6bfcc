import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../../src/plan/build.js';
import { planHash } from '../../../src/plan/hash.js';
import { hasChanges } from '../../../src/plan/types.js';
import { emptyInventory, type Inventory } from '../../../src/plan/inventory.js';
import { observeAccount } from '../../../src/observe.js';
import { ACCOUNT_KINDS, KINDS, actualFromApi, kindOf, kindsReferencing } from '../../../src/resources/index.js';
import type { ActualState, KindName } from '../../../src/resources/types.js';
import { MemoryApi } from '../../support/memory-api.js';
import { desired, incoming, outgoing, peer, tsig, withManage, zone } from '../../support/desired.js';

/** What the account holds of the account-scoped kinds, as observing reads it. */
function actualOf(api: MemoryApi): ActualState {
  return { resources: ACCOUNT_KINDS.flatMap((spec) => api.objects(spec.configKey).map((o) => actualFromApi(spec, o))) };
}

/** A state file's record: names as the config loader makes them (compared as the kind compares names). */
function inventoryWith(entries: Array<{ kind: KindName; name: string; id: string }>): Inventory {
  return {
    idOf: (kind, name) => entries.find((e) => e.kind === kind && kindOf(kind).canonicalName(e.name) === kindOf(kind).canonicalName(name))?.id,
    manages: (kind, id) => entries.some((e) => e.kind === kind && e.id === id),
    secretMatches: () => undefined,
  };
}

describe('buildPlan', () => {
  it('creates everything in an empty account, peers depending on the TSIG they use', () => {
    const plan = buildPlan(
      desired(peer('p2', { tsig: 'k1' }), tsig('k1', 's1'), peer('p1')),
      { resources: [] },
      emptyInventory,
    );
    expect(plan.operations.map((op) => [op.id, op.action, op.dependsOn])).toEqual([
      ['tsig:k1.', 'create', []],
      ['peer:p1', 'create', []],
      ['peer:p2', 'create', ['tsig:k1.']],
    ]);
    const k1 = plan.operations[0]!;
    expect(k1.changes).toEqual([
      { field: 'algo', before: null, after: 'hmac-sha512.', sensitive: false },
      { field: 'secret', before: null, after: '(sensitive)', sensitive: true },
    ]);
    expect(JSON.stringify(plan)).not.toContain('s1');
  });

  it('is a noop when the account matches, with the TSIG reference resolved by id', () => {
    const api = new MemoryApi();
    const key = api.seed('tsigs', { name: 'k1', algo: 'hmac-sha512.', secret: 's1' });
    api.seed('peers', { name: 'p1', ip: '192.0.2.1', port: 53, ixfr_enable: false, tsig_id: key.id });
    const plan = buildPlan(desired(tsig('k1', 's1'), peer('p1', { tsig: 'k1' })), actualOf(api), emptyInventory);
    expect(plan.operations.map((op) => op.action)).toEqual(['noop', 'noop']);
    expect(plan.operations.every((op) => op.dependsOn.length === 0)).toBe(true);
  });

  it('updates a changed port, a changed secret (without showing it) and a changed TSIG reference', () => {
    const api = new MemoryApi();
    const old = api.seed('tsigs', { name: 'old', algo: 'hmac-sha256.', secret: 'old-secret' });
    api.seed('tsigs', { name: 'k1', algo: 'hmac-sha512.', secret: 'stale-secret' });
    api.seed('peers', { name: 'p1', ip: '192.0.2.1', port: 5353, ixfr_enable: false, tsig_id: old.id });
    const plan = buildPlan(
      desired(tsig('old', 'old-secret', 'hmac-sha256.'), tsig('k1', 'fresh-secret'), peer('p1', { tsig: 'k1' })),
      actualOf(api),
      emptyInventory,
    );
    const byId = Object.fromEntries(plan.operations.map((op) => [op.id, op]));
    expect(byId['tsig:k1.']!.action).toBe('update');
    expect(byId['tsig:k1.']!.changes).toEqual([{ field: 'secret', before: '(sensitive)', after: '(sensitive)', sensitive: true }]);
    expect(byId['tsig:old.']!.action).toBe('noop');
    expect(byId['peer:p1']!.changes).toEqual([
      { field: 'port', before: 5353, after: 53, sensitive: false },
      { field: 'tsig', before: 'old.', after: 'k1.', sensitive: false },
    ]);
    // k1 exists already, so the peer does not wait for its update.
    expect(byId['peer:p1']!.dependsOn).toEqual([]);
    const text = JSON.stringify(plan);
    expect(text).not.toContain('fresh-secret');
    expect(text).not.toContain('stale-secret');
  });

  it('compares IPv6 addresses in their canonical spelling', () => {
    const api = new MemoryApi();
    api.seed('peers', { name: 'v6', ip: '2001:db8::53', port: 53, ixfr_enable: false, tsig_id: '' });
    expect(buildPlan(desired(peer('v6', { ip: '2001:DB8:0:0::53' })), actualOf(api), emptyInventory).operations[0]!.action).toBe('noop');
    expect(buildPlan(desired(peer('v6', { ip: '2001:db8::54' })), actualOf(api), emptyInventory).operations[0]!.action).toBe('update');
  });

  it('treats a fresh peer (empty ip, port 0) as needing every field', () => {
    const api = new MemoryApi();
    api.seed('peers', { name: 'p1', ip: '', port: 0, ixfr_enable: false, tsig_id: '' });
    const plan = buildPlan(desired(peer('p1', { ip: '192.0.2.9' })), actualOf(api), emptyInventory);
    expect(plan.operations[0]!.changes).toEqual([
      { field: 'ip', before: null, after: '192.0.2.9', sensitive: false },
      { field: 'port', before: null, after: 53, sensitive: false },
    ]);
  });

  it('refuses a name the account holds twice, unless the state file recorded which one: then the other is a duplicate to delete', () => {
    const api = new MemoryApi();
    const first = api.seed('tsigs', { name: 'k1', algo: 'hmac-sha512.', secret: 's1' });
    const second = api.seed('tsigs', { name: 'k1', algo: 'hmac-sha512.', secret: 's1' });
    const want = desired(tsig('k1', 's1'), peer('p1', { tsig: 'k1' }));

    const refused = buildPlan(want, actualOf(api), emptyInventory);
    const conflict = refused.operations[0]!;
    expect(conflict.action).toBe('conflict');
    expect(conflict.reason).toContain('2 TSIGs named "k1."');
    expect(conflict.reason).toContain(first.id);
    expect(conflict.reason).toContain(second.id);
    expect(refused.operations[1]).toMatchObject({ id: 'peer:p1', action: 'create', dependsOn: ['tsig:k1.'] });
    expect(refused.operations).toHaveLength(2);

    const resolved = buildPlan(want, actualOf(api), inventoryWith([{ kind: 'tsig', name: 'k1', id: second.id }]));
    expect(resolved.operations.map((op) => [op.id, op.action, op.cloudflareId])).toEqual([
      ['tsig:k1.', 'noop', second.id],
      ['peer:p1', 'create', null],
      [`tsig:k1.#${first.id}`, 'delete', first.id],
    ]);
    expect(resolved.operations[2]!.reason).toContain(`duplicate of TSIG "k1." (id ${second.id}, the one dnsctl manages)`);
    expect(resolved.unmanaged).toEqual([]);
  });

  it('deletes only what dnsctl manages, peers before the TSIGs they use', () => {
    const api = new MemoryApi();
    const key = api.seed('tsigs', { name: 'gone-key', algo: 'hmac-sha512.', secret: 's' });
    const gonePeer = api.seed('peers', { name: 'gone-peer', ip: '192.0.2.1', port: 53, ixfr_enable: false, tsig_id: key.id });
    const handMade = api.seed('peers', { name: 'hand-made', ip: '192.0.2.2', port: 53, ixfr_enable: false, tsig_id: '' });
    const plan = buildPlan(
      desired(),
      actualOf(api),
      inventoryWith([
        { kind: 'tsig', name: 'gone-key.', id: key.id },
        { kind: 'peer', name: 'gone-peer', id: gonePeer.id },
      ]),
    );
    expect(plan.operations.map((op) => [op.id, op.action, op.dependsOn])).toEqual([
      [`peer:gone-peer#${gonePeer.id}`, 'delete', []],
      [`tsig:gone-key.#${key.id}`, 'delete', [`peer:gone-peer#${gonePeer.id}`]],
    ]);
    expect(plan.unmanaged).toEqual([{ kind: 'peer', name: 'hand-made', id: handMade.id }]);
  });

  it('refuses to delete a TSIG that a peer made by hand still uses', () => {
    const api = new MemoryApi();
    const key = api.seed('tsigs', { name: 'b.', algo: 'hmac-sha512.', secret: 's' });
    const handMade = api.seed('peers', { name: 'by-hand', ip: '192.0.2.9', port: 53, ixfr_enable: false, tsig_id: key.id });
    const plan = buildPlan(desired(), actualOf(api), inventoryWith([{ kind: 'tsig', name: 'b.', id: key.id }]));
    expect(plan.operations).toHaveLength(1);
    const op = plan.operations[0]!;
    expect(op).toMatchObject({ id: `tsig:b.#${key.id}`, action: 'conflict', cloudflareId: key.id, dependsOn: [] });
    expect(op.reason).toContain(`peer "by-hand" (id ${handMade.id}) still uses it and is not managed by dnsctl`);
    expect(plan.unmanaged).toEqual([{ kind: 'peer', name: 'by-hand', id: handMade.id }]);
  });

  it('makes a TSIG delete wait for the update that moves a kept peer off it', () => {
    const api = new MemoryApi();
    const oldKey = api.seed('tsigs', { name: 'old', algo: 'hmac-sha512.', secret: 's' });
    api.seed('peers', { name: 'p1', ip: '192.0.2.1', port: 53, ixfr_enable: false, tsig_id: oldKey.id });
    const plan = buildPlan(desired(peer('p1')), actualOf(api), inventoryWith([{ kind: 'tsig', name: 'old', id: oldKey.id }]));
    expect(plan.operations.map((op) => [op.id, op.action, op.dependsOn])).toEqual([
      ['peer:p1', 'update', []],
      [`tsig:old.#${oldKey.id}`, 'delete', ['peer:p1']],
    ]);
  });

  it('uses the recorded fingerprint when the API does not return a secret', () => {
    const api = new MemoryApi();
    api.seed('tsigs', { name: 'k1', algo: 'hmac-sha512.' });
    const matches: Inventory = { ...emptyInventory, secretMatches: (_k, _n, _f, s) => s.reveal() === 'same' };
    expect(buildPlan(desired(tsig('k1', 'same')), actualOf(api), matches).operations[0]!.action).toBe('noop');
    expect(buildPlan(desired(tsig('k1', 'other')), actualOf(api), matches).operations[0]!.action).toBe('update');
    expect(buildPlan(desired(tsig('k1', 'same')), actualOf(api), emptyInventory).operations[0]!.action).toBe('update');
  });

  it('is deterministic: the same inputs in any order give the same plan and hash', () => {
    const api = new MemoryApi();
    api.seed('peers', { name: 'b', ip: '192.0.2.1', port: 53, ixfr_enable: false, tsig_id: '' });
    const resources = [tsig('z', '1'), tsig('a', '2'), peer('b', { tsig: 'a' }), peer('c', { tsig: 'z' })];
    const one = buildPlan(desired(...resources), actualOf(api), emptyInventory);
    const two = buildPlan(desired(...[...resources].reverse()), actualOf(api), emptyInventory);
    expect(two.operations.map((op) => op.id)).toEqual(one.operations.map((op) => op.id));
    expect(one.operations.map((op) => op.id)).toEqual(['tsig:a.', 'tsig:z.', 'peer:b', 'peer:c']);
    expect(planHash(two, 'salt')).toBe(planHash(one, 'salt'));
    expect(planHash(buildPlan(desired(tsig('a', '2')), actualOf(api), emptyInventory), 'salt')).not.toBe(planHash(one, 'salt'));
  });

  it('hashes secrets as salted fingerprints: a changed secret changes the hash, the salt changes it too', () => {
    const hashWith = (secret: string, salt: string) => planHash(buildPlan(desired(tsig('k', secret)), { resources: [] }, emptyInventory), salt);
    expect(hashWith('secret-one', 's1')).toBe(hashWith('secret-one', 's1'));
    expect(hashWith('secret-two', 's1')).not.toBe(hashWith('secret-one', 's1'));
    expect(hashWith('secret-one', 's2')).not.toBe(hashWith('secret-one', 's1'));
  });

  it('knows every kind it plans, in dependency order, and who references whom', () => {
    expect(KINDS.filter((k) => k.scope === 'account').map((k) => k.kind)).toEqual(expect.arrayContaining(['tsig', 'peer']));
    expect(KINDS.filter((k) => k.scope === 'zone').map((k) => k.kind)).toEqual(['incoming', 'outgoing']);
    const position = (kind: KindName) => KINDS.findIndex((k) => k.kind === kind);
    for (const kind of KINDS) {
      for (const field of kind.fields.filter((f) => f.ref)) expect(position(field.ref!), `${kind.kind}.${field.name}`).toBeLessThan(position(kind.kind));
    }
    expect(kindsReferencing('tsig').map((k) => k.kind)).toEqual(['peer']);
    expect(kindsReferencing('peer').map((k) => k.kind)).toEqual(['incoming', 'outgoing']);
    expect(() => kindOf('nope' as KindName)).toThrow('unknown resource kind nope');
  });
});

const PEER_FIELDS = { ip: '192.0.2.1', port: 53, ixfr_enable: false };

describe('buildPlan: names as each kind compares them', () => {
  it('matches TSIG names canonically: the account holds "Key.Example.", the config says "key.example": no create', async () => {
    const api = new MemoryApi();
    const key = api.seed('tsigs', { name: 'Key.Example.', algo: 'hmac-sha512.', secret: 's1' });
    api.seed('peers', { name: 'p1', ...PEER_FIELDS, tsig_id: key.id });
    const want = desired(tsig('key.example', 's1'), peer('p1', { tsig: 'KEY.example' }));
    const plan = buildPlan(want, await observeAccount(api, want), emptyInventory);
    expect(plan.operations.map((op) => [op.id, op.action, op.cloudflareId])).toEqual([
      ['tsig:key.example.', 'noop', key.id],
      ['peer:p1', 'noop', expect.any(String)],
    ]);
    expect(plan.unmanaged).toEqual([]);
  });

  it('counts TSIGs whose names differ only in case or the trailing dot as one name held twice', async () => {
    const api = new MemoryApi();
    const upper = api.seed('tsigs', { name: 'Key.Example.', algo: 'hmac-sha512.', secret: 's1' });
    const lower = api.seed('tsigs', { name: 'key.example', algo: 'hmac-sha512.', secret: 's1' });
    const want = desired(tsig('key.example.', 's1'));
    const plan = buildPlan(want, await observeAccount(api, want), emptyInventory);
    expect(plan.operations).toHaveLength(1);
    expect(plan.operations[0]).toMatchObject({ action: 'conflict', id: 'tsig:key.example.' });
    expect(plan.operations[0]!.reason).toContain(`ids ${upper.id}, ${lower.id}`);
  });

  it('compares peer names exactly (they are not DNS names)', () => {
    const api = new MemoryApi();
    api.seed('peers', { name: 'P1', ...PEER_FIELDS, tsig_id: '' });
    const plan = buildPlan(desired(peer('p1')), actualOf(api), emptyInventory);
    expect(plan.operations.map((op) => [op.id, op.action])).toEqual([['peer:p1', 'create']]);
    expect(plan.unmanaged.map((u) => u.name)).toEqual(['P1']);
  });
});

describe('buildPlan: duplicates of a declared name', () => {
  it('with the managed id recorded, deletes the extra peers as duplicates whatever the state file says of them', () => {
    const api = new MemoryApi();
    const kept = api.seed('peers', { name: 'p1', ...PEER_FIELDS, tsig_id: '' });
    const extra1 = api.seed('peers', { name: 'p1', ...PEER_FIELDS, tsig_id: '' });
    const extra2 = api.seed('peers', { name: 'p1', ...PEER_FIELDS, tsig_id: '' });
    const plan = buildPlan(desired(peer('p1')), actualOf(api), inventoryWith([{ kind: 'peer', name: 'p1', id: kept.id }]));
    expect(plan.operations.map((op) => [op.id, op.action])).toEqual([
      ['peer:p1', 'noop'],
      [`peer:p1#${extra1.id}`, 'delete'],
      [`peer:p1#${extra2.id}`, 'delete'],
    ]);
    for (const op of plan.operations.slice(1)) expect(op.reason).toContain(`duplicate of peer "p1" (id ${kept.id}`);
    expect(hasChanges(plan)).toBe(true);
  });

  it('a duplicate that a peer of the config points at is deleted after that peer moves to the managed one', () => {
    const api = new MemoryApi();
    const kept = api.seed('tsigs', { name: 'k1.', algo: 'hmac-sha512.', secret: 's' });
    const extra = api.seed('tsigs', { name: 'k1.', algo: 'hmac-sha512.', secret: 's' });
    api.seed('peers', { name: 'p1', ...PEER_FIELDS, tsig_id: extra.id });
    const plan = buildPlan(desired(tsig('k1', 's'), peer('p1', { tsig: 'k1' })), actualOf(api), inventoryWith([{ kind: 'tsig', name: 'k1.', id: kept.id }]));
    expect(plan.operations.map((op) => [op.id, op.action, op.dependsOn])).toEqual([
      ['tsig:k1.', 'noop', []],
      ['peer:p1', 'update', []],
      [`tsig:k1.#${extra.id}`, 'delete', ['peer:p1']],
    ]);
  });

  it('a duplicate still used by an object dnsctl does not manage is a conflict, not a delete', () => {
    const api = new MemoryApi();
    const kept = api.seed('tsigs', { name: 'k1.', algo: 'hmac-sha512.', secret: 's' });
    const extra = api.seed('tsigs', { name: 'k1.', algo: 'hmac-sha512.', secret: 's' });
    const handMade = api.seed('peers', { name: 'by-hand', ...PEER_FIELDS, tsig_id: extra.id });
    const plan = buildPlan(desired(tsig('k1', 's')), actualOf(api), inventoryWith([{ kind: 'tsig', name: 'k1.', id: kept.id }]));
    const op = plan.operations.find((o) => o.cloudflareId === extra.id)!;
    expect(op).toMatchObject({ id: `tsig:k1.#${extra.id}`, action: 'conflict', dependsOn: [] });
    expect(op.reason).toContain(`duplicate of TSIG "k1."`);
    expect(op.reason).toContain(`peer "by-hand" (id ${handMade.id}) still uses it`);
    expect(plan.operations.filter((o) => o.action === 'delete')).toEqual([]);
  });

  it('without a record of which one dnsctl manages, a declared name held twice is a conflict (nothing deleted)', () => {
    const api = new MemoryApi();
    const a = api.seed('peers', { name: 'p1', ...PEER_FIELDS, tsig_id: '' });
    const b = api.seed('peers', { name: 'p1', ...PEER_FIELDS, tsig_id: '' });
    const plan = buildPlan(desired(peer('p1')), actualOf(api), inventoryWith([{ kind: 'peer', name: 'p1', id: 'not-in-the-account' }]));
    expect(plan.operations.map((op) => [op.id, op.action])).toEqual([['peer:p1', 'conflict']]);
    expect(plan.operations[0]!.reason).toContain(`ids ${a.id}, ${b.id}`);
    expect(plan.unmanaged).toEqual([]);
  });
});

describe('buildPlan: renames keep the id', () => {
  it('a peer renamed by hand (recorded id, other name) is renamed back with an update of its name', () => {
    const api = new MemoryApi();
    const obj = api.seed('peers', { name: 'renamed-in-dashboard', ...PEER_FIELDS, tsig_id: '' });
    const plan = buildPlan(desired(peer('p1')), actualOf(api), inventoryWith([{ kind: 'peer', name: 'p1', id: obj.id }]));
    expect(plan.operations).toHaveLength(1);
    expect(plan.operations[0]).toMatchObject({ id: 'peer:p1', action: 'update', cloudflareId: obj.id });
    expect(plan.operations[0]!.changes).toEqual([{ field: 'name', before: 'renamed-in-dashboard', after: 'p1', sensitive: false }]);
    expect(plan.unmanaged).toEqual([]);
  });

  it('a recorded id whose object now carries another declared name is not taken from that resource', () => {
    const api = new MemoryApi();
    const obj = api.seed('peers', { name: 'p2', ...PEER_FIELDS, tsig_id: '' });
    const plan = buildPlan(desired(peer('p1'), peer('p2')), actualOf(api), inventoryWith([{ kind: 'peer', name: 'p1', id: obj.id }]));
    expect(plan.operations.map((op) => [op.id, op.action, op.cloudflareId])).toEqual([
      ['peer:p1', 'create', null],
      ['peer:p2', 'noop', obj.id],
    ]);
  });

  it('previous_names: found under an old name, the object is renamed with its fields, keeping its id', () => {
    const api = new MemoryApi();
    const obj = api.seed('peers', { name: 'old-name', ...PEER_FIELDS, tsig_id: '' });
    const oldKey = api.seed('tsigs', { name: 'Old.Key.', algo: 'hmac-sha512.', secret: 's' });
    const plan = buildPlan(
      desired({ ...tsig('new.key', 's'), previousNames: ['old.key'] }, peer('new-name', { port: 5353, previousNames: ['older', 'old-name'] })),
      actualOf(api),
      { ...emptyInventory, secretMatches: () => true },
    );
    expect(plan.operations.map((op) => [op.id, op.action, op.cloudflareId])).toEqual([
      ['tsig:new.key.', 'update', oldKey.id],
      ['peer:new-name', 'update', obj.id],
    ]);
    expect(plan.operations[0]!.changes).toEqual([{ field: 'name', before: 'Old.Key.', after: 'new.key.', sensitive: false }]);
    expect(plan.operations[1]!.changes).toEqual([
      { field: 'name', before: 'old-name', after: 'new-name', sensitive: false },
      { field: 'port', before: 53, after: 5353, sensitive: false },
    ]);
  });
});

describe('buildPlan: zone links', () => {
  const ZONE_ID = '269d8f4853475ca241c4e730be286b20';

  function accountWithZone() {
    const api = new MemoryApi();
    api.seedZone('example.com.', ZONE_ID);
    const p1 = api.seed('peers', { name: 'p1', ...PEER_FIELDS, tsig_id: '' });
    const p2 = api.seed('peers', { name: 'p2', ...PEER_FIELDS, tsig_id: '' });
    return { api, p1, p2, example: zone('example.com', ZONE_ID) };
  }

  it('creates both links of a zone after the peers they reference; outgoing enabled by default', async () => {
    const api = new MemoryApi();
    api.seedZone('Example.COM.', ZONE_ID);
    const example = zone('example.com.'); // no zone_id: resolved by name
    const want = desired(peer('primary'), peer('secondary'), incoming(example, ['primary']), outgoing(example, ['secondary']));
    const plan = buildPlan(want, await observeAccount(api, want), emptyInventory);
    expect(plan.operations.map((op) => [op.id, op.action, op.dependsOn, op.zoneId])).toEqual([
      ['peer:primary', 'create', [], undefined],
      ['peer:secondary', 'create', [], undefined],
      ['incoming:example.com', 'create', ['peer:primary'], ZONE_ID],
      ['outgoing:example.com', 'create', ['peer:secondary'], ZONE_ID],
    ]);
    expect(plan.operations[2]!.changes).toEqual([
      { field: 'peers', before: null, after: ['primary'], sensitive: false },
      { field: 'auto_refresh_seconds', before: null, after: 86_400, sensitive: false },
    ]);
    expect(plan.operations[3]!.changes).toEqual([
      { field: 'peers', before: null, after: ['secondary'], sensitive: false },
      { field: 'enabled', before: null, after: true, sensitive: false },
    ]);
  });

  it('is a noop when the links hold the same peers in another order', async () => {
    const { api, p1, p2, example } = accountWithZone();
    api.seedLink(ZONE_ID, 'incoming', { peers: [p2.id, p1.id], auto_refresh_seconds: 86_400 });
    api.seedLink(ZONE_ID, 'outgoing', { peers: [p2.id, p1.id] }, true);
    const want = desired(peer('p1'), peer('p2'), incoming(example, ['p1', 'p2']), outgoing(example, ['p2', 'p1']));
    const plan = buildPlan(want, await observeAccount(api, want), emptyInventory);
    expect(plan.operations.map((op) => op.action)).toEqual(['noop', 'noop', 'noop', 'noop']);
  });

  it('shows the peers that leave and join a link by name, and waits for the new peer', async () => {
    const { api, p1, p2, example } = accountWithZone();
    api.seedLink(ZONE_ID, 'incoming', { peers: [p1.id, p2.id], auto_refresh_seconds: 86_400 });
    const removeOne = desired(peer('p1'), peer('p2'), incoming(example, ['p1']));
    const removed = buildPlan(removeOne, await observeAccount(api, removeOne), emptyInventory).operations.find((op) => op.kind === 'incoming')!;
    expect(removed).toMatchObject({ action: 'update', cloudflareId: ZONE_ID, zoneId: ZONE_ID, dependsOn: [] });
    expect(removed.changes).toEqual([{ field: 'peers', before: ['p1', 'p2'], after: ['p1'], sensitive: false, added: [], removed: ['p2'] }]);

    const swap = desired(peer('p1'), peer('p2'), peer('p3'), incoming(example, ['p3', 'p1'], 3600));
    const swapped = buildPlan(swap, await observeAccount(api, swap), emptyInventory).operations.find((op) => op.kind === 'incoming')!;
    expect(swapped.dependsOn).toEqual(['peer:p3']);
    expect(swapped.changes).toEqual([
      { field: 'peers', before: ['p1', 'p2'], after: ['p1', 'p3'], sensitive: false, added: ['p3'], removed: ['p2'] },
      { field: 'auto_refresh_seconds', before: 86_400, after: 3600, sensitive: false },
    ]);
  });

  it('disabling outgoing is a change of `enabled` only', async () => {
    const { api, p1, example } = accountWithZone();
    api.seedLink(ZONE_ID, 'outgoing', { peers: [p1.id] }, true);
    const want = desired(peer('p1'), peer('p2'), outgoing(example, ['p1'], false));
    const op = buildPlan(want, await observeAccount(api, want), emptyInventory).operations.find((o) => o.kind === 'outgoing')!;
    expect(op).toMatchObject({ action: 'update', dependsOn: [] });
    expect(op.changes).toEqual([{ field: 'enabled', before: true, after: false, sensitive: false }]);
  });

  it('renaming a linked peer: create the new peer, re-point the link, then delete the old peer', async () => {
    const { api, p1, p2, example } = accountWithZone();
    api.seedLink(ZONE_ID, 'incoming', { peers: [p1.id], auto_refresh_seconds: 86_400 });
    const want = desired(peer('p1-renamed'), peer('p2'), incoming(example, ['p1-renamed']));
    const inventory = inventoryWith([
      { kind: 'peer', name: 'p1', id: p1.id },
      { kind: 'peer', name: 'p2', id: p2.id },
      { kind: 'incoming', name: 'example.com', id: ZONE_ID },
    ]);
    const plan = buildPlan(want, await observeAccount(api, want), inventory);
    expect(plan.operations.map((op) => [op.id, op.action, op.dependsOn])).toEqual([
      ['peer:p1-renamed', 'create', []],
      ['peer:p2', 'noop', []],
      ['incoming:example.com', 'update', ['peer:p1-renamed']],
      [`peer:p1#${p1.id}`, 'delete', ['incoming:example.com']],
    ]);
    expect(plan.operations[2]!.changes).toEqual([
      { field: 'peers', before: ['p1'], after: ['p1-renamed'], sensitive: false, added: ['p1-renamed'], removed: ['p1'] },
    ]);
  });

  it('drops a zone link the config leaves out when the state file records it, or under manage: all; else leaves it alone', async () => {
    const { api, p1, example } = accountWithZone();
    api.seedLink(ZONE_ID, 'incoming', { peers: [p1.id], auto_refresh_seconds: 86_400 });
    api.seedLink(ZONE_ID, 'outgoing', { peers: [p1.id] }, true);
    const want = desired(peer('p1'), peer('p2'), outgoing(example, ['p1']));
    const actual = await observeAccount(api, want);

    const recorded = buildPlan(want, actual, inventoryWith([{ kind: 'incoming', name: 'example.com', id: ZONE_ID }]));
    const drop = recorded.operations.filter((op) => op.action !== 'noop');
    expect(drop.map((op) => [op.id, op.action, op.cloudflareId, op.zoneId])).toEqual([[`incoming:example.com#${ZONE_ID}`, 'delete', ZONE_ID, ZONE_ID]]);
    expect(drop[0]!.reason).toContain('state file records it');
    expect(drop[0]!.changes).toEqual([
      { field: 'peers', before: ['p1'], after: null, sensitive: false },
      { field: 'auto_refresh_seconds', before: 86_400, after: null, sensitive: false },
    ]);

    const all = buildPlan(withManage(want, 'all'), actual, emptyInventory).operations.filter((op) => op.action !== 'noop');
    expect(all.map((op) => [op.id, op.action])).toEqual([[`incoming:example.com#${ZONE_ID}`, 'delete']]);
    expect(all[0]!.reason).toContain('manage: all');

    const unrecorded = buildPlan(want, actual, emptyInventory);
    expect(hasChanges(unrecorded)).toBe(false);
    expect(unrecorded.unmanaged).toEqual([{ kind: 'incoming', name: 'example.com', id: ZONE_ID }]);
  });

  it('a zone declared without links: under manage: all its links go, and then the peers they used', async () => {
    const { api, p1, example } = accountWithZone();
    api.seedLink(ZONE_ID, 'outgoing', { peers: [p1.id] }, false);
    const want = { ...desired(peer('p2')), zones: [example], manage: 'all' as const };
    const plan = buildPlan(want, await observeAccount(api, want), emptyInventory);
    expect(plan.operations.map((op) => [op.id, op.action, op.dependsOn])).toEqual([
      ['peer:p2', 'noop', []],
      [`outgoing:example.com#${ZONE_ID}`, 'delete', []],
      [`peer:p1#${p1.id}`, 'delete', [`outgoing:example.com#${ZONE_ID}`]],
    ]);
  });

  it('refuses to delete a peer that a link dnsctl does not manage still uses', async () => {
    const { api, p1, example } = accountWithZone();
    api.seedLink(ZONE_ID, 'incoming', { peers: [p1.id], auto_refresh_seconds: 86_400 });
    const want = { ...desired(peer('p2')), zones: [example] };
    const plan = buildPlan(want, await observeAccount(api, want), inventoryWith([{ kind: 'peer', name: 'p1', id: p1.id }]));
    const op = plan.operations.find((o) => o.cloudflareId === p1.id)!;
    expect(op.action).toBe('conflict');
    expect(op.reason).toContain(`incoming transfer link "example.com" (id ${ZONE_ID}) still uses it`);
    expect(plan.unmanaged).toEqual([{ kind: 'incoming', name: 'example.com', id: ZONE_ID }]);
  });
});
