import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { executePlan } from '../../src/apply/execute.js';
import { createCloudflareClient, createSecondaryDnsApi, type SecondaryDnsApi } from '../../src/cloudflare/index.js';
import { buildAppliedState, inventoryFrom } from '../../src/report/state.js';
import { silentLogger } from '../../src/log.js';
import { buildPlan } from '../../src/plan/build.js';
import { emptyInventory } from '../../src/plan/inventory.js';
import { observeAccount } from '../../src/observe.js';
import { TSIG_ALGORITHMS } from '../../src/resources/tsig.js';
import type { DesiredResource, DesiredState } from '../../src/resources/types.js';
import { Secret } from '../../src/secret.js';
import { ACCOUNT } from '../support/desired.js';
import { MemoryApi } from '../support/memory-api.js';
import { memoryTransport, type Fault } from '../support/memory-transport.js';

const TSIG_NAMES = ['a.example.', 'b.example.', 'c.example.', 'd.example.'];
const PEER_NAMES = ['p1', 'p2', 'p3', 'p4', 'p5'];
const IPS = ['192.0.2.1', '192.0.2.2', '2001:db8::1'];
const SECRETS = ['s-one', 's-two', 's-three'];

const tsigFields = fc.record({ algo: fc.constantFrom(...TSIG_ALGORITHMS), secret: fc.constantFrom(...SECRETS) });
const peerFields = fc.record({
  ip: fc.constantFrom(...IPS),
  port: fc.constantFrom(53, 5353, 10053),
  ixfr_enable: fc.boolean(),
  tsigIndex: fc.option(fc.nat(TSIG_NAMES.length - 1), { nil: null }),
});

/** A config: unique names per kind; a peer references only a declared TSIG. */
const desiredArb = fc
  .record({
    tsigs: fc.uniqueArray(fc.constantFrom(...TSIG_NAMES), { maxLength: TSIG_NAMES.length }).chain((names) =>
      fc.tuple(...names.map((name) => tsigFields.map((f) => ({ name, ...f })))),
    ),
    peers: fc.uniqueArray(fc.constantFrom(...PEER_NAMES), { maxLength: PEER_NAMES.length }).chain((names) =>
      fc.tuple(...names.map((name) => peerFields.map((f) => ({ name, ...f })))),
    ),
  })
  .map(({ tsigs, peers }): DesiredState => {
    const resources: DesiredResource[] = tsigs.map((t) => ({ kind: 'tsig', name: t.name, values: { algo: t.algo, secret: new Secret(t.secret) } }));
    for (const p of peers) {
      const tsig = p.tsigIndex !== null && tsigs.length > 0 ? tsigs[p.tsigIndex % tsigs.length]!.name : null;
      resources.push({ kind: 'peer', name: p.name, values: { ip: p.ip, port: p.port, ixfr_enable: p.ixfr_enable, tsig } });
    }
    return { accountId: ACCOUNT, resources };
  });

/** What the account holds before: any subset of the same names with any fields (fresh peers too). */
const accountArb = fc.record({
  tsigs: fc.uniqueArray(fc.constantFrom(...TSIG_NAMES)).chain((names) => fc.tuple(...names.map((name) => tsigFields.map((f) => ({ name, ...f }))))),
  peers: fc.uniqueArray(fc.constantFrom(...PEER_NAMES)).chain((names) =>
    fc.tuple(...names.map((name) => fc.oneof(peerFields.map((f) => ({ name, ...f, fresh: false })), fc.constant({ name, fresh: true })))),
  ),
});

type Account = {
  tsigs: Array<{ name: string; algo: string; secret: string }>;
  peers: Array<{ name: string; fresh: boolean; ip?: string; port?: number; ixfr_enable?: boolean; tsigIndex?: number | null }>;
};

function seedAccount(api: MemoryApi, account: Account) {
  const tsigIds = account.tsigs.map((t) => api.seed('tsigs', { name: t.name, algo: t.algo, secret: t.secret }).id);
  for (const p of account.peers) {
    if (p.fresh) api.seed('peers', { name: p.name, ip: '', port: 0, ixfr_enable: false, tsig_id: '' });
    else {
      const tsigId = p.tsigIndex !== null && p.tsigIndex !== undefined && tsigIds.length > 0 ? tsigIds[p.tsigIndex % tsigIds.length]! : '';
      api.seed('peers', { name: p.name, ip: p.ip!, port: p.port!, ixfr_enable: p.ixfr_enable!, tsig_id: tsigId });
    }
  }
}

/** One `dnsctl apply` through the real client, retry and safe-create code, over a faulty transport. */
async function applyOnce(api: MemoryApi, desired: DesiredState, faultFor: () => Fault) {
  const client = createCloudflareClient({
    baseUrl: 'http://127.0.0.1/client/v4',
    credentials: { kind: 'token', token: 'property-token' },
    transport: memoryTransport(api, faultFor),
    retry: { maxRetries: 6, sleep: async () => {} },
    pacer: null,
    logger: silentLogger,
  });
  const cloudflare = createSecondaryDnsApi(client, ACCOUNT);
  const plan = buildPlan(desired, await observeAccount(cloudflare), emptyInventory);
  return executePlan(plan, { api: cloudflare, concurrency: 3 });
}

/** The account holds exactly the declared objects (one per name, every field as declared). */
function expectAccountMatches(api: MemoryApi, desired: DesiredState, untouchedNames: Set<string>) {
  const tsigs = api.objects('tsigs');
  const peers = api.objects('peers');
  for (const want of desired.resources) {
    const found = (want.kind === 'tsig' ? tsigs : peers).filter((o) => o.name === want.name);
    expect(found, `${want.kind} ${want.name}`).toHaveLength(1);
    const obj = found[0]!;
    if (want.kind === 'tsig') {
      expect(obj.algo).toBe(want.values.algo);
      expect((want.values.secret as Secret).equals(obj.secret as string)).toBe(true);
    } else {
      const tsigName = want.values.tsig;
      const tsigId = tsigName === null ? '' : tsigs.find((t) => t.name === tsigName)!.id;
      expect({ ip: obj.ip, port: obj.port, ixfr_enable: obj.ixfr_enable, tsig_id: obj.tsig_id || '' }).toEqual({
        ip: want.values.ip,
        port: want.values.port,
        ixfr_enable: want.values.ixfr_enable,
        tsig_id: tsigId,
      });
    }
  }
  // Objects the config does not declare were made by hand: still there.
  for (const name of untouchedNames) expect([...tsigs, ...peers].some((o) => o.name === name)).toBe(true);
}

/** About one request in five goes wrong. */
const faultArb = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Fault>('none') },
  { weight: 1, arbitrary: fc.constant<Fault>('error-before') },
  { weight: 1, arbitrary: fc.constant<Fault>('drop-after') },
  { weight: 1, arbitrary: fc.constant<Fault>('rate-limited') },
);

describe('apply converges (property)', () => {
  it('any account + any config: one apply yields exactly the config, and the next plan is empty', async () => {
    await fc.assert(
      fc.asyncProperty(desiredArb, accountArb, async (desired, account) => {
        const api = new MemoryApi();
        seedAccount(api, account);
        const declared = new Set(desired.resources.map((r) => r.name));
        const untouched = new Set([...account.tsigs, ...account.peers].map((o) => o.name).filter((n) => !declared.has(n)));

        const results = await applyOnce(api, desired, () => 'none');
        expect(results.filter((r) => r.status !== 'applied')).toEqual([]);
        expectAccountMatches(api, desired, untouched);

        const writesBefore = api.writes().length;
        expect(await applyOnce(api, desired, () => 'none')).toEqual([]);
        expect(api.writes().length).toBe(writesBefore);
      }),
      { numRuns: 150 },
    );
  });

  it('with random transient faults (500, 429, connections dropped after the server acted) it still converges, never duplicating', async () => {
    await fc.assert(
      fc.asyncProperty(desiredArb, accountArb, fc.infiniteStream(faultArb), async (desired, account, faults) => {
        const api = new MemoryApi();
        seedAccount(api, account);
        const declared = new Set(desired.resources.map((r) => r.name));
        const untouched = new Set([...account.tsigs, ...account.peers].map((o) => o.name).filter((n) => !declared.has(n)));
        const nextFault = () => faults.next().value as Fault;

        // Retries absorb almost every fault; a rare operation that still fails is finished by the next apply.
        for (let run = 0; run < 3; run++) {
          const results = await applyOnce(api, desired, nextFault).catch(() => null);
          if (results?.every((r) => r.status === 'applied')) break;
        }
        expectAccountMatches(api, desired, untouched);
        const writesBefore = api.writes().length;
        expect(await applyOnce(api, desired, () => 'none')).toEqual([]);
        expect(api.writes().length).toBe(writesBefore);
      }),
      { numRuns: 150 },
    );
  });
});

describe('prune converges (property)', () => {
  const facts = {
    version: 'test',
    configPath: 'dnsctl.yaml',
    configSha256: 'x',
    accountId: ACCOUNT,
    startedAt: new Date(0),
    finishedAt: new Date(0),
    interrupted: false,
    salt: 'salt',
  };

  /** Objects made by hand that point at no TSIG, so that no delete is blocked by them. */
  const handMadeArb = accountArb.map((account) => ({ ...account, peers: account.peers.map((p) => ({ ...p, tsigIndex: null })) }));

  it('config A, then config B with the state after A: exactly B remains, plus what was made by hand and never managed', async () => {
    await fc.assert(
      fc.asyncProperty(desiredArb, desiredArb, handMadeArb, async (first, second, account) => {
        const api = new MemoryApi();
        seedAccount(api, account);
        const client = (): SecondaryDnsApi =>
          createSecondaryDnsApi(
            createCloudflareClient({
              baseUrl: 'http://127.0.0.1/client/v4',
              credentials: { kind: 'token', token: 'property-token' },
              transport: memoryTransport(api),
              pacer: null,
              logger: silentLogger,
            }),
            ACCOUNT,
          );

        const planA = buildPlan(first, await observeAccount(client()), emptyInventory);
        const stateA = buildAppliedState(planA, await executePlan(planA, { api: client(), concurrency: 3 }), null, facts);
        const planB = buildPlan(second, await observeAccount(client()), inventoryFrom(stateA));
        expect(planB.operations.filter((op) => op.action === 'conflict')).toEqual([]);
        const results = await executePlan(planB, { api: client(), concurrency: 3 });
        expect(results.filter((r) => r.status !== 'applied')).toEqual([]);

        const declaredA = new Set(first.resources.map((r) => `${r.kind}:${r.name}`));
        const declaredB = new Set(second.resources.map((r) => `${r.kind}:${r.name}`));
        const handMade = [...account.tsigs.map((t) => `tsig:${t.name}`), ...account.peers.map((p) => `peer:${p.name}`)];
        const expected = new Set([...declaredB, ...handMade.filter((key) => !declaredA.has(key))]);
        const remaining = [...api.objects('tsigs').map((t) => `tsig:${t.name}`), ...api.objects('peers').map((p) => `peer:${p.name}`)];
        expect(remaining.sort()).toEqual([...expected].sort());
        expectAccountMatches(api, second, new Set());
      }),
      { numRuns: 150 },
    );
  });
});
