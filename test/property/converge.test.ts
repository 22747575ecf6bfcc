import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { executePlan } from '../../src/apply/execute.js';
import { createCloudflareClient, createSecondaryDnsApi, type SecondaryDnsApi } from '../../src/cloudflare/index.js';
import { buildAppliedState, inventoryFrom, type StateFile } from '../../src/report/state.js';
import { silentLogger } from '../../src/log.js';
import { buildPlan } from '../../src/plan/build.js';
import { emptyInventory } from '../../src/plan/inventory.js';
import { observeAccount } from '../../src/observe.js';
import { canonicalKeyName } from '../../src/resources/names.js';
import { TSIG_ALGORITHMS } from '../../src/resources/tsig.js';
import type { DesiredResource, DesiredState, ZoneRef } from '../../src/resources/types.js';
import { Secret } from '../../src/secret.js';
import { ACCOUNT, RUN_FACTS, incoming, outgoing, zone } from '../support/desired.js';
import { BEHAVIOURS, MemoryApi, type MemoryApiBehaviour } from '../support/memory-api.js';
import { memoryTransport, type Fault } from '../support/memory-transport.js';

const TSIG_NAMES = ['a.example.', 'b.example.', 'c.example.', 'd.example.'];
const PEER_NAMES = ['p1', 'p2', 'p3', 'p4', 'p5'];
const ACL_NAMES = ['office', 'backup'];
/** The same ranges in other spellings (upper-case IPv6, a zero group written out) are the same range. */
const ACL_RANGES = [
  ['192.0.2.0/24', '192.0.2.0/24'],
  ['2001:db8::/64', '2001:DB8:0::/64'],
  ['198.51.100.7/32', '198.51.100.7/32'],
] as const;
const aclFields = fc.record({ range: fc.nat(ACL_RANGES.length - 1), accountSpelling: fc.nat(1) });
/** Peers made by hand that no config declares (used by hand-made links in the prune property). */
const HAND_PEERS = ['hand-1', 'hand-2'];
const IPS = ['192.0.2.1', '192.0.2.2', '2001:db8::1'];
const SECRETS = ['czE=', 'dHdvdHdv', 'dGhyZWU='];
/** The zones the account holds; the API spells them as FQDNs. */
const ZONES = [
  { id: '0000000000000000000000000000aaaa', name: 'example.com' },
  { id: '0000000000000000000000000000bbbb', name: 'example.org' },
];
const LINKS = ['incoming', 'outgoing'] as const;

const tsigFields = fc.record({ algo: fc.constantFrom(...TSIG_ALGORITHMS), secret: fc.constantFrom(...SECRETS) });
const peerFields = fc.record({
  ip: fc.option(fc.constantFrom(...IPS), { nil: null }),
  port: fc.constantFrom(53, 5353, 10053),
  ixfr_enable: fc.boolean(),
  tsigIndex: fc.option(fc.nat(TSIG_NAMES.length - 1), { nil: null }),
});

interface ZoneConfig {
  zoneIndex: number;
  /** false: declared without zone_id, resolved by name. */
  withId: boolean;
  incoming: { peers: string[]; refresh: number } | null;
  outgoing: { peers: string[]; enabled: boolean } | null;
}

/** Zone declarations for the given zones, linking (sets of) the given declared peers. */
function zonesArb(zoneIndexes: number[], peerNames: string[]): fc.Arbitrary<ZoneConfig[]> {
  const linked = <T>(extra: fc.Arbitrary<T>) =>
    peerNames.length === 0
      ? fc.constant(null)
      : fc.option(
          fc.tuple(fc.subarray(peerNames, { minLength: 1 }), extra),
          { nil: null },
        );
  return fc.tuple(
    ...zoneIndexes.map((zoneIndex) =>
      fc.record({
        zoneIndex: fc.constant(zoneIndex),
        withId: fc.boolean(),
        incoming: linked(fc.constantFrom(300, 3600, 86_400)).map((l) => (l ? { peers: l[0], refresh: l[1] } : null)),
        outgoing: linked(fc.boolean()).map((l) => (l ? { peers: l[0], enabled: l[1] } : null)),
      }),
    ),
  );
}

interface ConfigParts {
  acls: Array<{ name: string; range: number }>;
  tsigs: Array<{ name: string; algo: string; secret: string }>;
  peers: Array<{ name: string; ip: string | null; port: number; ixfr_enable: boolean; tsigIndex: number | null }>;
}

const configPartsArb: fc.Arbitrary<ConfigParts> = fc.record({
  acls: fc.uniqueArray(fc.constantFrom(...ACL_NAMES)).chain((names) => fc.tuple(...names.map((name) => aclFields.map((f) => ({ name, range: f.range }))))),
  tsigs: fc.uniqueArray(fc.constantFrom(...TSIG_NAMES), { maxLength: TSIG_NAMES.length }).chain((names) =>
    fc.tuple(...names.map((name) => tsigFields.map((f) => ({ name, ...f })))),
  ),
  peers: fc.uniqueArray(fc.constantFrom(...PEER_NAMES), { maxLength: PEER_NAMES.length }).chain((names) =>
    fc.tuple(...names.map((name) => peerFields.map((f) => ({ name, ...f })))),
  ),
});

/** A config as the loader makes it: unique names per kind, references only to declared objects. */
function toDesired({ tsigs, peers, acls }: ConfigParts, zones: ZoneConfig[]): DesiredState {
  const resources: DesiredResource[] = tsigs.map((t) => ({ kind: 'tsig', name: t.name, values: { algo: t.algo, secret: new Secret(t.secret) } }));
  for (const a of acls) resources.push({ kind: 'acl', name: a.name, values: { ip_range: ACL_RANGES[a.range]![0] } });
  for (const p of peers) {
    const tsig = p.tsigIndex !== null && tsigs.length > 0 ? tsigs[p.tsigIndex % tsigs.length]!.name : null;
    const port = p.ip === null ? null : p.port;
    resources.push({ kind: 'peer', name: p.name, values: { ip: p.ip, port, ixfr_enable: p.ixfr_enable, tsig } });
  }
  const zoneRefs: ZoneRef[] = [];
  for (const z of zones) {
    const declared = ZONES[z.zoneIndex]!;
    const ref = zone(declared.name, z.withId ? declared.id : null);
    zoneRefs.push(ref);
    if (z.incoming) resources.push(incoming(ref, z.incoming.peers, z.incoming.refresh));
    if (z.outgoing) resources.push(outgoing(ref, z.outgoing.peers, z.outgoing.enabled));
  }
  return { accountId: ACCOUNT, resources, zones: zoneRefs };
}

const zoneIndexesArb = fc.uniqueArray(fc.constantFrom(0, 1), { maxLength: 2 });

/** Any config over 0-2 of the account's zones. */
const desiredArb = fc
  .tuple(configPartsArb, zoneIndexesArb)
  .chain(([parts, zoneIndexes]) => zonesArb(zoneIndexes, parts.peers.map((p) => p.name)).map((zones) => toDesired(parts, zones)));

interface SeededLink {
  zoneIndex: number;
  link: (typeof LINKS)[number];
  peerIndexes: number[];
  refresh: number;
  enabled: boolean;
}

/** What the account holds before: any subset of the same names with any fields (fresh peers, other spellings of TSIG names), and links. */
const accountArb = fc.record({
  acls: fc.uniqueArray(fc.constantFrom(...ACL_NAMES)).chain((names) => fc.tuple(...names.map((name) => aclFields.map((f) => ({ name, ...f }))))),
  tsigs: fc.uniqueArray(fc.constantFrom(...TSIG_NAMES)).chain((names) =>
    fc.tuple(
      ...names.map((name) =>
        fc.tuple(fc.constantFrom(name, name.toUpperCase(), name.slice(0, -1)), tsigFields).map(([spelling, f]) => ({ name: spelling, ...f })),
      ),
    ),
  ),
  peers: fc.uniqueArray(fc.constantFrom(...PEER_NAMES)).chain((names) =>
    fc.tuple(...names.map((name) => fc.oneof(peerFields.map((f) => ({ name, ...f, fresh: false })), fc.constant({ name, fresh: true })))),
  ),
  links: fc.array(
    fc.record({
      zoneIndex: fc.constantFrom(0, 1),
      link: fc.constantFrom(...LINKS),
      peerIndexes: fc.uniqueArray(fc.nat(6), { minLength: 1, maxLength: 3 }),
      refresh: fc.constantFrom(300, 86_400),
      enabled: fc.boolean(),
    }),
    { maxLength: 3 },
  ),
});

type Account = {
  acls: Array<{ name: string; range: number; accountSpelling: number }>;
  tsigs: Array<{ name: string; algo: string; secret: string }>;
  peers: Array<{ name: string; fresh: boolean; ip?: string | null; port?: number; ixfr_enable?: boolean; tsigIndex?: number | null }>;
  links: SeededLink[];
};

/**
 * Seeds the account. Links point at the seeded peers, or (`linksUseHandPeers`) at peers made by
 * hand that no config declares, so that no delete dnsctl plans is blocked by them.
 */
function seedAccount(api: MemoryApi, account: Account, linksUseHandPeers = false) {
  for (const z of ZONES) api.seedZone(`${z.name}.`, z.id);
  for (const a of account.acls) api.seed('acls', { name: a.name, ip_range: ACL_RANGES[a.range]![a.accountSpelling]! });
  const tsigIds = account.tsigs.map((t) => api.seed('tsigs', { name: t.name, algo: t.algo, secret: t.secret }).id);
  const peerIds: string[] = [];
  for (const p of account.peers) {
    if (p.fresh) peerIds.push(api.seed('peers', { name: p.name, ip: '', port: 0, ixfr_enable: false, tsig_id: '' }).id);
    else {
      const tsigId = p.tsigIndex !== null && p.tsigIndex !== undefined && tsigIds.length > 0 ? tsigIds[p.tsigIndex % tsigIds.length]! : '';
      const ip = p.ip ?? '';
      peerIds.push(api.seed('peers', { name: p.name, ip, port: ip === '' ? 0 : p.port!, ixfr_enable: p.ixfr_enable!, tsig_id: tsigId }).id);
    }
  }
  const linkable = linksUseHandPeers ? HAND_PEERS.map((name) => api.seed('peers', { name, ip: '198.51.100.1', port: 53, ixfr_enable: false }).id) : peerIds;
  if (linkable.length === 0) return;
  for (const l of account.links) {
    const peers = [...new Set(l.peerIndexes.map((i) => linkable[i % linkable.length]!))];
    const fields = l.link === 'incoming' ? { peers, auto_refresh_seconds: l.refresh } : { peers };
    api.seedLink(ZONES[l.zoneIndex]!.id, l.link, fields, l.link === 'outgoing' && l.enabled);
  }
}

/** Every link the account holds, as comparable data. */
function linksOf(api: MemoryApi): Record<string, unknown> {
  const found: Record<string, unknown> = {};
  for (const z of ZONES) {
    for (const link of LINKS) {
      const obj = api.link(z.id, link);
      if (obj) found[`${link}:${z.name}`] = { ...obj, peers: [...(obj.peers as string[])].sort() };
    }
  }
  return found;
}

function clientFor(api: MemoryApi, faultFor: () => Fault = () => 'none'): SecondaryDnsApi {
  const client = createCloudflareClient({
    baseUrl: 'http://127.0.0.1/client/v4',
    credentials: { kind: 'token', token: 'property-token' },
    transport: memoryTransport(api, faultFor),
    retry: { maxRetries: 6, sleep: async () => {} },
    pacer: null,
    logger: silentLogger,
  });
  return createSecondaryDnsApi(client, ACCOUNT);
}

/** One `dnsctl apply` through the real client, retry and safe-create code, over a faulty transport. */
async function applyOnce(api: MemoryApi, desired: DesiredState, faultFor: () => Fault) {
  const cloudflare = clientFor(api, faultFor);
  const plan = buildPlan(desired, await observeAccount(cloudflare, desired), emptyInventory);
  return executePlan(plan, { api: cloudflare, concurrency: 3 });
}

/** The account holds exactly the declared objects (one per name, every field and link as declared). */
function expectAccountMatches(api: MemoryApi, desired: DesiredState) {
  const tsigs = api.objects('tsigs');
  const peers = api.objects('peers');
  const peerId = (name: string) => peers.find((p) => p.name === name)!.id;
  const acls = api.objects('acls');
  for (const want of desired.resources) {
    if (want.kind === 'acl') {
      const found = acls.filter((o) => o.name === want.name);
      expect(found, `acl ${want.name}`).toHaveLength(1);
      const spellings = ACL_RANGES.find((r) => r[0] === want.values.ip_range)!;
      expect(spellings).toContain(found[0]!.ip_range);
    } else if (want.kind === 'tsig') {
      const found = tsigs.filter((o) => canonicalKeyName(o.name) === want.name);
      expect(found, `tsig ${want.name}`).toHaveLength(1);
      expect(found[0]!.algo).toBe(want.values.algo);
      expect((want.values.secret as Secret).equals(found[0]!.secret as string)).toBe(true);
    } else if (want.kind === 'peer') {
      const found = peers.filter((o) => o.name === want.name);
      expect(found, `peer ${want.name}`).toHaveLength(1);
      const obj = found[0]!;
      const tsigName = want.values.tsig;
      const tsigId = tsigName === null ? '' : tsigs.find((t) => canonicalKeyName(t.name) === tsigName)!.id;
      expect({ ip: obj.ip, port: obj.port, ixfr_enable: obj.ixfr_enable, tsig_id: obj.tsig_id ?? '' }).toEqual({
        ip: want.values.ip ?? '',
        port: want.values.port ?? 0,
        ixfr_enable: want.values.ixfr_enable,
        tsig_id: tsigId,
      });
    } else {
      const zoneId = ZONES.find((z) => z.name === want.name)!.id;
      const link = api.link(zoneId, want.kind);
      expect(link, `${want.kind} ${want.name}`).not.toBeNull();
      expect([...(link!.peers as string[])].sort()).toEqual((want.values.peers as string[]).map(peerId).sort());
      if (want.kind === 'incoming') expect(link!.auto_refresh_seconds).toBe(want.values.auto_refresh_seconds);
      else expect(link!.enabled).toBe(want.values.enabled);
    }
  }
}

/** Objects the config does not declare were made by hand (and no state file says otherwise): untouched. */
function expectHandMadeUntouched(api: MemoryApi, desired: DesiredState, before: { tsigs: string[]; peers: string[]; acls: string[]; links: Record<string, unknown> }) {
  const declared = new Set(desired.resources.map((r) => `${r.kind}:${r.name}`));
  const tsigNames = api.objects('tsigs').map((t) => t.name);
  for (const name of before.tsigs) if (!declared.has(`tsig:${canonicalKeyName(name)}`)) expect(tsigNames).toContain(name);
  const peerNames = api.objects('peers').map((p) => p.name);
  for (const name of before.peers) if (!declared.has(`peer:${name}`)) expect(peerNames).toContain(name);
  const aclNames = api.objects('acls').map((a) => a.name);
  for (const name of before.acls) if (!declared.has(`acl:${name}`)) expect(aclNames).toContain(name);
  const links = linksOf(api);
  for (const [key, link] of Object.entries(before.links)) if (!declared.has(key)) expect(links[key], key).toEqual(link);
}

/** No name is held twice. */
function expectNoDuplicates(api: MemoryApi) {
  const tsigNames = api.objects('tsigs').map((t) => canonicalKeyName(t.name));
  expect(new Set(tsigNames).size).toBe(tsigNames.length);
  const peerNames = api.objects('peers').map((p) => p.name);
  expect(new Set(peerNames).size).toBe(peerNames.length);
  const aclNames = api.objects('acls').map((a) => a.name);
  expect(new Set(aclNames).size).toBe(aclNames.length);
}

function snapshot(api: MemoryApi) {
  return { tsigs: api.objects('tsigs').map((t) => t.name), peers: api.objects('peers').map((p) => p.name), acls: api.objects('acls').map((a) => a.name), links: linksOf(api) };
}

/** About one request in five goes wrong. */
const faultArb = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Fault>('none') },
  { weight: 1, arbitrary: fc.constant<Fault>('error-before') },
  { weight: 1, arbitrary: fc.constant<Fault>('drop-after') },
  { weight: 1, arbitrary: fc.constant<Fault>('rate-limited') },
);

const behaviourArb: fc.Arbitrary<MemoryApiBehaviour> = fc.constantFrom(...BEHAVIOURS);

describe('apply converges (property)', () => {
  it('any account + any config, under every API behaviour: one apply yields exactly the config, and the next plan is empty', async () => {
    await fc.assert(
      fc.asyncProperty(desiredArb, accountArb, behaviourArb, async (desired, account, behaviour) => {
        const api = new MemoryApi(behaviour);
        seedAccount(api, account);
        const before = snapshot(api);

        const results = await applyOnce(api, desired, () => 'none');
        expect(results.filter((r) => r.status !== 'applied')).toEqual([]);
        expectAccountMatches(api, desired);
        expectHandMadeUntouched(api, desired, before);
        expectNoDuplicates(api);

        const writesBefore = api.writes().length;
        expect(await applyOnce(api, desired, () => 'none')).toEqual([]);
        expect(api.writes().length).toBe(writesBefore);
      }),
      { numRuns: 60 },
    );
  });

  it('with random transient faults (500, 429, connections dropped after the server acted) it still converges, never duplicating', async () => {
    await fc.assert(
      fc.asyncProperty(desiredArb, accountArb, behaviourArb, fc.infiniteStream(faultArb), async (desired, account, behaviour, faults) => {
        const api = new MemoryApi(behaviour);
        seedAccount(api, account);
        const before = snapshot(api);
        const nextFault = () => faults.next().value as Fault;

        // Retries absorb most faults; an operation that still fails (a lost POST of a link or of
        // enable/disable is never sent again) is finished by the next apply, as a user would rerun.
        for (let run = 0; run < 10; run++) {
          const results = await applyOnce(api, desired, nextFault).catch(() => null);
          expectNoDuplicates(api);
          if (results?.every((r) => r.status === 'applied')) break;
        }
        expectAccountMatches(api, desired);
        expectHandMadeUntouched(api, desired, before);
        const writesBefore = api.writes().length;
        expect(await applyOnce(api, desired, () => 'none')).toEqual([]);
        expect(api.writes().length).toBe(writesBefore);
      }),
      { numRuns: 50 },
    );
  });
});

describe('prune converges (property)', () => {


  /** Objects made by hand that point at no TSIG, so that no delete is blocked by them. */
  const handMadeArb = accountArb.map((account) => ({ ...account, peers: account.peers.map((p) => ({ ...p, tsigIndex: null })) }));

  /** Configs A and B over the same zones (links of a zone dropped from the config are not observed). */
  const configsArb = zoneIndexesArb.chain((zoneIndexes) => {
    const one = configPartsArb.chain((parts) => zonesArb(zoneIndexes, parts.peers.map((p) => p.name)).map((zones) => toDesired(parts, zones)));
    return fc.tuple(one, one);
  });

  it('config A, then config B with the state after A: exactly B remains, plus what was made by hand and never managed', async () => {
    await fc.assert(
      fc.asyncProperty(configsArb, handMadeArb, behaviourArb, async ([first, second], account, behaviour) => {
        const api = new MemoryApi(behaviour);
        seedAccount(api, account, true);
        const before = snapshot(api);

        const planA = buildPlan(first, await observeAccount(clientFor(api), first), emptyInventory);
        const stateA: StateFile = buildAppliedState(planA, await executePlan(planA, { api: clientFor(api), concurrency: 3 }), null, RUN_FACTS);
        const planB = buildPlan(second, await observeAccount(clientFor(api), second), inventoryFrom(stateA));
        expect(planB.operations.filter((op) => op.action === 'conflict')).toEqual([]);
        const results = await executePlan(planB, { api: clientFor(api), concurrency: 3 });
        expect(results.filter((r) => r.status !== 'applied')).toEqual([]);

        const declaredA = new Set(first.resources.map((r) => `${r.kind}:${r.name}`));
        const declaredB = new Set(second.resources.map((r) => `${r.kind}:${r.name}`));
        const handMade = [
          ...before.tsigs.map((t) => `tsig:${canonicalKeyName(t)}`),
          ...before.peers.map((p) => `peer:${p}`),
          ...before.acls.map((a) => `acl:${a}`),
          ...Object.keys(before.links),
        ];
        const expected = new Set([...declaredB, ...handMade.filter((key) => !declaredA.has(key))]);
        const remaining = [
          ...api.objects('tsigs').map((t) => `tsig:${canonicalKeyName(t.name)}`),
          ...api.objects('peers').map((p) => `peer:${p.name}`),
          ...api.objects('acls').map((a) => `acl:${a.name}`),
          ...Object.keys(linksOf(api)),
        ];
        expect(remaining.sort()).toEqual([...expected].sort());
        expectAccountMatches(api, second);
        expectNoDuplicates(api);
      }),
      { numRuns: 50 },
    );
  });
});
