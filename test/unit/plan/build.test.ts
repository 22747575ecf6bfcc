import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../../src/plan/build.js';
import { planHash } from '../../../src/plan/hash.js';
import { emptyInventory, type Inventory } from '../../../src/plan/inventory.js';
import { KINDS, actualFromApi, kindOf } from '../../../src/resources/index.js';
import type { ActualState } from '../../../src/resources/types.js';
import { MemoryApi } from '../../support/memory-api.js';
import { desired, peer, tsig } from '../../support/desired.js';

function actualOf(api: MemoryApi): ActualState {
  return { resources: KINDS.flatMap((spec) => api.objects(spec.collection).map((o) => actualFromApi(spec, o))) };
}

function inventoryWith(entries: Array<{ kind: 'tsig' | 'peer'; name: string; id: string }>): Inventory {
  return {
    idOf: (kind, name) => entries.find((e) => e.kind === kind && e.name === name)?.id,
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
      ['tsig:k1', 'create', []],
      ['peer:p1', 'create', []],
      ['peer:p2', 'create', ['tsig:k1']],
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
    expect(byId['tsig:k1']!.action).toBe('update');
    expect(byId['tsig:k1']!.changes).toEqual([{ field: 'secret', before: '(sensitive)', after: '(sensitive)', sensitive: true }]);
    expect(byId['tsig:old']!.action).toBe('noop');
    expect(byId['peer:p1']!.changes).toEqual([
      { field: 'port', before: 5353, after: 53, sensitive: false },
      { field: 'tsig', before: 'old', after: 'k1', sensitive: false },
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

  it('refuses a name the account holds twice, unless the state file recorded which one', () => {
    const api = new MemoryApi();
    const first = api.seed('tsigs', { name: 'k1', algo: 'hmac-sha512.', secret: 's1' });
    const second = api.seed('tsigs', { name: 'k1', algo: 'hmac-sha512.', secret: 's1' });
    const want = desired(tsig('k1', 's1'), peer('p1', { tsig: 'k1' }));

    const refused = buildPlan(want, actualOf(api), emptyInventory);
    const conflict = refused.operations[0]!;
    expect(conflict.action).toBe('conflict');
    expect(conflict.reason).toContain('2 TSIGs named "k1"');
    expect(conflict.reason).toContain(first.id);
    expect(conflict.reason).toContain(second.id);
    expect(refused.operations[1]).toMatchObject({ id: 'peer:p1', action: 'create', dependsOn: ['tsig:k1'] });

    const resolved = buildPlan(want, actualOf(api), inventoryWith([{ kind: 'tsig', name: 'k1', id: second.id }]));
    expect(resolved.operations[0]).toMatchObject({ action: 'noop', cloudflareId: second.id });
    expect(resolved.unmanaged).toEqual([{ kind: 'tsig', name: 'k1', id: first.id }]);
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
        { kind: 'tsig', name: 'gone-key', id: key.id },
        { kind: 'peer', name: 'gone-peer', id: gonePeer.id },
      ]),
    );
    expect(plan.operations.map((op) => [op.id, op.action, op.dependsOn])).toEqual([
      [`peer:gone-peer#${gonePeer.id}`, 'delete', []],
      [`tsig:gone-key#${key.id}`, 'delete', [`peer:gone-peer#${gonePeer.id}`]],
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
      [`tsig:old#${oldKey.id}`, 'delete', ['peer:p1']],
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
    expect(one.operations.map((op) => op.id)).toEqual(['tsig:a', 'tsig:z', 'peer:b', 'peer:c']);
    expect(planHash(two, 'salt')).toBe(planHash(one, 'salt'));
    expect(planHash(buildPlan(desired(tsig('a', '2')), actualOf(api), emptyInventory), 'salt')).not.toBe(planHash(one, 'salt'));
  });

  it('hashes secrets as salted fingerprints: a changed secret changes the hash, the salt changes it too', () => {
    const hashWith = (secret: string, salt: string) => planHash(buildPlan(desired(tsig('k', secret)), { resources: [] }, emptyInventory), salt);
    expect(hashWith('secret-one', 's1')).toBe(hashWith('secret-one', 's1'));
    expect(hashWith('secret-two', 's1')).not.toBe(hashWith('secret-one', 's1'));
    expect(hashWith('secret-one', 's2')).not.toBe(hashWith('secret-one', 's1'));
  });

  it('knows every kind it plans', () => {
    expect(kindOf('peer').createWith).toBe('name-then-replace');
    expect(kindOf('tsig').createWith).toBe('full-body');
  });
});
