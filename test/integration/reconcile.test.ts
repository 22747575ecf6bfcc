/**
 * The whole pipeline (config → observe → plan → execute → state file) over HTTP against the fake
 * Cloudflare API, run in-process through the real commands (test/support/fake.ts):
 *   - a fresh apply creates every TSIG and peer with every field and the right tsig_id;
 *   - a second apply writes nothing and lists each collection exactly once;
 *   - drift in the account (peer port, tsig_id, ip) and a new TSIG secret are put back, one PUT each;
 *   - duplicate names: refused with the ids, dependents skipped, the rest applied; the id in the
 *     state file settles it;
 *   - pruning: what dnsctl made and the config dropped is deleted (peers before their TSIG),
 *     what someone made by hand never is.
 */
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { StateFile } from '../../src/report/state.js';
import { randomHex, readJson, removeTempDirs, tempDir, writeConfig, type ConfigSpec } from '../support/cli.js';
import {
  actualObjects,
  closeFakes,
  collectionPath,
  expectedObjects,
  nameCounts,
  requestsTo,
  runInProcess,
  startFake,
  tsigIdByName,
  writes,
  type FakeCloudflare,
} from '../support/fake.js';

afterEach(closeFakes);
afterAll(removeTempDirs);

const SPEC: ConfigSpec = {
  tsigs: [
    { name: 'tsig.customer.cf.', algo: 'hmac-sha512.', secretVar: 'SECRET_CUSTOMER' },
    { name: 'tsig.backup.cf.', algo: 'hmac-sha256.', secretVar: 'SECRET_BACKUP' },
    { name: 'tsig.legacy.cf.', algo: 'hmac-md5.sig-alg.reg.int.', secretVar: 'SECRET_LEGACY' },
  ],
  peers: [
    { name: 'primary-ns1', ip: '192.0.2.53', port: 53, ixfr_enable: true, tsig: 'tsig.customer.cf.' },
    { name: 'backup-ns', ip: '2001:db8::53', port: 5353, tsig: 'tsig.backup.cf.' },
    { name: 'legacy-ns', ip: '198.51.100.7' },
    { name: 'second-ns', ip: '203.0.113.9', port: 1053, ixfr_enable: false, tsig: 'tsig.customer.cf.' },
    { name: 'old-ns', ip: '192.0.2.99', tsig: 'tsig.legacy.cf.' },
  ],
};

interface Setup {
  fake: FakeCloudflare & { token: string };
  dir: string;
  config: string;
  state: string;
  env: Record<string, string>;
  apply(...extra: string[]): ReturnType<typeof runInProcess>;
  plan(...extra: string[]): ReturnType<typeof runInProcess>;
  writeSpec(spec: ConfigSpec): void;
}

async function setup(spec: ConfigSpec = SPEC): Promise<Setup> {
  const fake = await startFake({ latencyMs: 2 });
  const dir = tempDir();
  const config = writeConfig(dir, spec);
  const state = join(dir, 'state.json');
  const env: Record<string, string> = { CLOUDFLARE_API_TOKEN: fake.token, CLOUDFLARE_BASE_URL: fake.url };
  for (const t of spec.tsigs ?? []) env[t.secretVar] = randomHex(64);
  const run = (command: string) => (...extra: string[]) =>
    runInProcess([command, config, '--state', state, '--timeout', '2', ...extra], { env });
  return {
    fake,
    dir,
    config,
    state,
    env,
    apply: run('apply'),
    plan: run('plan'),
    writeSpec: (next) => void writeConfig(dir, next),
  };
}

const stateOf = (s: Setup) => readJson<StateFile>(s.state);

describe('a fresh apply', () => {
  it('creates every TSIG and peer with all fields and the right tsig_id', async () => {
    const s = await setup();
    const run = await s.apply();
    expect(run.code, run.stdout + run.stderr).toBe(0);

    expect(actualObjects(s.fake)).toEqual(expectedObjects(s.fake, SPEC, s.env));
    // Each TSIG once, each peer once: POST {name} + one PUT with the whole object.
    expect(requestsTo(s.fake, 'POST', 'tsigs')).toHaveLength(3);
    expect(requestsTo(s.fake, 'POST', 'peers')).toHaveLength(5);
    expect(requestsTo(s.fake, 'PUT', 'peers', true)).toHaveLength(5);
    expect(requestsTo(s.fake, 'PUT', 'tsigs', true)).toHaveLength(0);
    expect(requestsTo(s.fake, 'GET', 'tsigs')).toHaveLength(1);
    expect(requestsTo(s.fake, 'GET', 'peers')).toHaveLength(1);
    // The fake refuses (400) a PUT whose tsig_id is no existing TSIG: every peer waited for its TSIG.
    expect(s.fake.requests.every((r) => r.status === 200)).toBe(true);

    // The state file records every object with the id Cloudflare gave it.
    const state = stateOf(s);
    expect(state.outcome).toBe('success');
    expect(state.summary).toEqual({ created: 8, updated: 0, deleted: 0, unchanged: 0, failed: 0, skipped: 0 });
    const ids = [...s.fake.objects('tsigs'), ...s.fake.objects('peers')].map((o) => o.id).sort();
    expect(state.resources.map((e) => e.id).sort()).toEqual(ids);
    for (const entry of state.resources) {
      const collection = entry.kind === 'tsig' ? 'tsigs' : 'peers';
      expect(s.fake.objects(collection).find((o) => o.id === entry.id)?.name).toBe(entry.name);
      expect(entry).toMatchObject({ operation: 'create', status: 'applied' });
    }
    expect(stdoutHasNoSecret(run.stdout, s.env)).toBe(true);
  });
});

function stdoutHasNoSecret(text: string, env: Record<string, string>): boolean {
  return Object.entries(env).every(([name, value]) => !name.startsWith('SECRET_') || !text.includes(value));
}

describe('a second apply', () => {
  it('sends no POST, PUT or DELETE, and exactly one GET per collection', async () => {
    const s = await setup();
    expect((await s.apply()).code).toBe(0);
    const before = actualObjects(s.fake);
    s.fake.resetStats();

    const run = await s.apply();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(writes(s.fake)).toEqual([]);
    expect(s.fake.requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      [`GET ${collectionPath(s.fake, 'acls')}`, `GET ${collectionPath(s.fake, 'peers')}`, `GET ${collectionPath(s.fake, 'tsigs')}`].sort(),
    );
    expect(run.stdout).toContain('No changes. 8 unchanged.');
    expect(actualObjects(s.fake)).toEqual(before);
    const state = stateOf(s);
    expect(state.outcome).toBe('success');
    expect(state.summary).toEqual({ created: 0, updated: 0, deleted: 0, unchanged: 8, failed: 0, skipped: 0 });
    // Unchanged entries keep their ids (the inventory survives a no-op run).
    expect(state.resources.every((e) => e.id !== null && e.status === 'unchanged')).toBe(true);
  });

  it('plan --detailed-exitcode then reports no changes (exit 0) with the same three GETs', async () => {
    const s = await setup();
    await s.apply();
    s.fake.resetStats();
    const plan = await s.plan('--detailed-exitcode');
    expect(plan.code).toBe(0);
    expect(s.fake.counts().byMethod).toEqual({ GET: 3, POST: 0, PUT: 0, DELETE: 0 }); // one list per account-scoped kind
  });
});

describe('drift in the account is put back', () => {
  const peerName = 'primary-ns1';
  const drifts: Array<[string, (peer: Record<string, unknown>, fake: FakeCloudflare) => Record<string, unknown>, RegExp]> = [
    ['port', (p) => ({ ...p, port: 5300 }), /port: +5300 → 53\n/],
    ['ip', (p) => ({ ...p, ip: '192.0.2.200' }), /ip: +192\.0\.2\.200 → 192\.0\.2\.53\n/],
    ['ixfr_enable', (p) => ({ ...p, ixfr_enable: false }), /ixfr_enable: +false → true\n/],
    ['tsig_id', (p, fake) => ({ ...p, tsig_id: tsigIdByName(fake).get('tsig.backup.cf.') }), /tsig: +tsig\.backup\.cf\. → tsig\.customer\.cf\.\n/],
    ['tsig_id removed', (p) => ({ ...p, tsig_id: '' }), /tsig: +\(none\) → tsig\.customer\.cf\.\n/],
  ];

  it.each(drifts)('a peer whose %s changed gets one PUT', async (_field, drift, planLine) => {
    const s = await setup();
    expect((await s.apply()).code).toBe(0);
    const peer = s.fake.objects('peers').find((p) => p.name === peerName)!;
    s.fake.seed('peers', drift(peer, s.fake) as typeof peer);
    s.fake.resetStats();

    const plan = await s.plan('--detailed-exitcode');
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(planLine);
    expect(plan.stdout).toContain('Plan: 0 to create, 1 to update, 0 to delete, 7 unchanged.');
    expect(writes(s.fake)).toEqual([]);

    s.fake.resetStats();
    const run = await s.apply();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(writes(s.fake).map((r) => `${r.method} ${r.path}`)).toEqual([`PUT ${collectionPath(s.fake, 'peers')}/${peer.id}`]);
    expect(actualObjects(s.fake)).toEqual(expectedObjects(s.fake, SPEC, s.env));
    expect(s.fake.objects('peers').find((p) => p.name === peerName)?.id).toBe(peer.id);
    expect(stateOf(s).summary).toMatchObject({ updated: 1, unchanged: 7, failed: 0 });
  });

  it.each([
    ['secret', { secret: 'changed-in-the-dashboard' }],
    ['algo', { algo: 'hmac-sha1.' }],
  ] as const)('a TSIG whose %s was changed in the account gets one PUT', async (_field, drift) => {
    const s = await setup();
    expect((await s.apply()).code).toBe(0);
    const tsig = s.fake.objects('tsigs').find((t) => t.name === 'tsig.customer.cf.')!;
    s.fake.seed('tsigs', { ...tsig, ...drift });
    s.fake.resetStats();
    const run = await s.apply();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(writes(s.fake).map((r) => `${r.method} ${r.path}`)).toEqual([`PUT ${collectionPath(s.fake, 'tsigs')}/${tsig.id}`]);
    expect(s.fake.objects('tsigs').find((t) => t.id === tsig.id)).toEqual(tsig);
    expect(run.stdout).not.toContain('changed-in-the-dashboard');
  });

  it('a TSIG secret changed in the environment: one PUT, and the plan shows (sensitive), never the secret', async () => {
    const s = await setup();
    expect((await s.apply()).code).toBe(0);
    const old = s.env.SECRET_BACKUP!;
    s.env.SECRET_BACKUP = randomHex(64);
    const tsig = s.fake.objects('tsigs').find((t) => t.name === 'tsig.backup.cf.')!;
    s.fake.resetStats();

    for (const output of ['text', 'json', 'markdown']) {
      const plan = await s.plan('--output', output);
      expect(plan.code).toBe(0);
      expect(plan.stdout).toContain('(sensitive)');
      for (const secret of [old, s.env.SECRET_BACKUP]) {
        expect(plan.stdout).not.toContain(secret);
        expect(plan.stderr).not.toContain(secret);
      }
    }
    expect((await s.plan()).stdout).toContain('secret: (sensitive) → (sensitive)');

    s.fake.resetStats();
    const run = await s.apply();
    expect(run.code).toBe(0);
    expect(writes(s.fake).map((r) => `${r.method} ${r.path}`)).toEqual([`PUT ${collectionPath(s.fake, 'tsigs')}/${tsig.id}`]);
    expect(s.fake.objects('tsigs').find((t) => t.id === tsig.id)).toEqual({ ...tsig, secret: s.env.SECRET_BACKUP });
    expect(run.stdout).not.toContain(s.env.SECRET_BACKUP);
    expect(JSON.stringify(stateOf(s))).not.toContain(s.env.SECRET_BACKUP);
  });
});

describe('duplicate names in the account', () => {
  const spec: ConfigSpec = {
    tsigs: [
      { name: 'dup.tsig.', secretVar: 'SECRET_DUP' },
      { name: 'ok.tsig.', secretVar: 'SECRET_OK' },
    ],
    peers: [
      { name: 'uses-dup', ip: '192.0.2.1', tsig: 'dup.tsig.' },
      { name: 'uses-ok', ip: '192.0.2.2', tsig: 'ok.tsig.' },
      { name: 'twin', ip: '192.0.2.3' },
      { name: 'plain', ip: '192.0.2.4' },
    ],
  };

  it('refuses the ambiguous resource naming the ids, skips its dependents, applies the rest, exits 1', async () => {
    const s = await setup(spec);
    const a = s.fake.seed('tsigs', { name: 'dup.tsig.', algo: 'hmac-sha512.', secret: 'by-hand-1' });
    const b = s.fake.seed('tsigs', { name: 'dup.tsig.', algo: 'hmac-sha512.', secret: 'by-hand-2' });
    const p1 = s.fake.seed('peers', { name: 'twin', ip: '192.0.2.3', port: 53 });
    const p2 = s.fake.seed('peers', { name: 'twin', ip: '192.0.2.33', port: 53 });

    const plan = await s.plan();
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain('conflict');
    for (const id of [a.id, b.id, p1.id, p2.id]) expect(plan.stdout).toContain(id);

    s.fake.resetStats();
    const run = await s.apply();
    expect(run.code, run.stdout + run.stderr).toBe(1);
    for (const id of [a.id, b.id, p1.id, p2.id]) expect(run.stdout).toContain(id);

    const state = stateOf(s);
    expect(state.outcome).toBe('partial');
    const entry = (kind: string, name: string) => state.resources.find((e) => e.kind === kind && e.name === name)!;
    expect(entry('tsig', 'dup.tsig.')).toMatchObject({ operation: 'conflict', status: 'failed', id: null });
    expect(entry('tsig', 'dup.tsig.').error).toContain(a.id);
    expect(entry('tsig', 'dup.tsig.').error).toContain(b.id);
    expect(entry('peer', 'twin')).toMatchObject({ operation: 'conflict', status: 'failed' });
    expect(entry('peer', 'twin').error).toContain(p1.id);
    expect(entry('peer', 'uses-dup')).toMatchObject({ operation: 'create', status: 'skipped' });
    expect(entry('peer', 'uses-dup').error).toContain('dup.tsig.');
    for (const [kind, name] of [['tsig', 'ok.tsig.'], ['peer', 'uses-ok'], ['peer', 'plain']] as const) {
      expect(entry(kind, name)).toMatchObject({ operation: 'create', status: 'applied' });
    }
    expect(state.summary).toMatchObject({ created: 3, failed: 2, skipped: 1 });

    // Nothing was written to the ambiguous objects, nothing created in their name.
    expect(nameCounts(s.fake, 'tsigs').get('dup.tsig.')).toBe(2);
    expect(nameCounts(s.fake, 'peers').get('twin')).toBe(2);
    expect(nameCounts(s.fake, 'peers').has('uses-dup')).toBe(false);
    const touched = writes(s.fake).map((r) => r.path);
    for (const id of [a.id, b.id, p1.id, p2.id]) expect(touched.some((p) => p.endsWith(id))).toBe(false);
    expect(s.fake.objects('tsigs').find((t) => t.id === a.id)?.secret).toBe('by-hand-1');
  });

  it('uses the id recorded in the state file; namesakes of a declared name are shown and deleted as duplicates', async () => {
    const s = await setup(spec);
    expect((await s.apply()).code).toBe(0);
    const mine = s.fake.objects('tsigs').find((t) => t.name === 'dup.tsig.')!;
    const myTwin = s.fake.objects('peers').find((p) => p.name === 'twin')!;
    const hand = s.fake.seed('tsigs', { name: 'DUP.tsig.', algo: 'hmac-sha1.', secret: 'bWFkZS1ieS1oYW5k' });
    const handTwin = s.fake.seed('peers', { name: 'twin', ip: '198.51.100.1', port: 53 });

    // The duplicates never hide: the plan shows them, with --detailed-exitcode 2.
    const plan = await s.plan('--detailed-exitcode');
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toContain(`why: duplicate of TSIG "dup.tsig." (id ${mine.id}, the one dnsctl manages)`);
    expect(plan.stdout).toContain(`why: duplicate of peer "twin" (id ${myTwin.id}, the one dnsctl manages)`);

    s.fake.resetStats();
    const again = await s.apply();
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(writes(s.fake).map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      [`DELETE ${collectionPath(s.fake, 'peers')}/${handTwin.id}`, `DELETE ${collectionPath(s.fake, 'tsigs')}/${hand.id}`].sort(),
    );
    expect(nameCounts(s.fake, 'peers').get('twin')).toBe(1);

    // A new secret goes to the recorded TSIG; its peer keeps pointing at it.
    s.env.SECRET_DUP = randomHex(64);
    s.fake.resetStats();
    const update = await s.apply();
    expect(update.code).toBe(0);
    expect(writes(s.fake).map((r) => `${r.method} ${r.path}`)).toEqual([`PUT ${collectionPath(s.fake, 'tsigs')}/${mine.id}`]);
    expect(s.fake.objects('peers').find((p) => p.name === 'uses-dup')?.tsig_id).toBe(mine.id);
    expect(s.fake.objects('peers').find((p) => p.id === myTwin.id)).toEqual(myTwin);
  });
});

describe('pruning', () => {
  const full: ConfigSpec = {
    tsigs: [
      { name: 'keep.tsig.', secretVar: 'SECRET_KEEP' },
      { name: 'drop.tsig.', secretVar: 'SECRET_DROP' },
    ],
    peers: [
      { name: 'keep-peer', ip: '192.0.2.1', tsig: 'keep.tsig.' },
      { name: 'drop-peer', ip: '192.0.2.2', tsig: 'drop.tsig.' },
      { name: 'drop-peer-2', ip: '192.0.2.3', tsig: 'drop.tsig.' },
      { name: 'drop-plain', ip: '192.0.2.4' },
    ],
  };
  const reduced: ConfigSpec = { tsigs: [full.tsigs![0]!], peers: [full.peers![0]!] };

  it('refuses to delete a managed TSIG that a peer made by hand still uses, and says which', async () => {
    const s = await setup(full);
    expect((await s.apply()).code).toBe(0);
    const dropId = s.fake.objects('tsigs').find((t) => t.name === 'drop.tsig.')!.id;
    const handPeer = s.fake.seed('peers', { name: 'hand-peer', ip: '192.0.2.77', port: 53, tsig_id: dropId });

    s.writeSpec(reduced);
    s.fake.resetStats();
    const run = await s.apply();
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toContain(`peer "hand-peer" (id ${handPeer.id}) still uses it and is not managed by dnsctl`);
    expect(s.fake.objects('tsigs').some((t) => t.id === dropId)).toBe(true);
    expect(writes(s.fake).some((r) => r.path.endsWith(dropId))).toBe(false);
    // The rest of the plan still ran: the dropped peers are gone.
    expect(s.fake.objects('peers').map((p) => p.name).sort()).toEqual(['hand-peer', 'keep-peer']);
  });

  it('deletes what dnsctl created and the config dropped, peers before their TSIG; never what was made by hand', async () => {
    const s = await setup(full);
    const handTsig = s.fake.seed('tsigs', { name: 'hand.tsig.', algo: 'hmac-sha256.', secret: 'hand-secret' });
    const handPeer = s.fake.seed('peers', { name: 'hand-peer', ip: '192.0.2.77', port: 53, tsig_id: handTsig.id });
    expect((await s.apply()).code).toBe(0);
    const before = new Map([...s.fake.objects('tsigs'), ...s.fake.objects('peers')].map((o) => [o.name, o.id]));

    s.writeSpec(reduced);
    s.fake.resetStats();
    const plan = await s.plan();
    expect(plan.stdout).toContain('Plan: 0 to create, 0 to update, 4 to delete, 2 unchanged.');
    expect(plan.stdout).toContain('2 object(s) in the account are not in the config');
    expect(writes(s.fake)).toEqual([]);

    // 4 deletes of 6 managed objects: above the blast-radius limit of 3, allowed for this run.
    const run = await s.apply('--allow-deletes', '4');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const deletes = writes(s.fake);
    expect(deletes.every((r) => r.method === 'DELETE')).toBe(true);
    expect(deletes.map((r) => r.path).sort()).toEqual(
      [
        `${collectionPath(s.fake, 'tsigs')}/${before.get('drop.tsig.')}`,
        `${collectionPath(s.fake, 'peers')}/${before.get('drop-peer')}`,
        `${collectionPath(s.fake, 'peers')}/${before.get('drop-peer-2')}`,
        `${collectionPath(s.fake, 'peers')}/${before.get('drop-plain')}`,
      ].sort(),
    );
    // The TSIG's DELETE was sent only after both peers using it were gone.
    const tsigDelete = deletes.find((r) => r.path.includes('/tsigs/'))!;
    for (const name of ['drop-peer', 'drop-peer-2']) {
      const peerDelete = deletes.find((r) => r.path.endsWith(before.get(name)!))!;
      expect(peerDelete.endedAt).not.toBeNull();
      expect(tsigDelete.startedAt).toBeGreaterThanOrEqual(peerDelete.endedAt!);
    }
    expect(s.fake.objects('tsigs').map((t) => t.name).sort()).toEqual(['hand.tsig.', 'keep.tsig.']);
    expect(s.fake.objects('peers').map((p) => p.name).sort()).toEqual(['hand-peer', 'keep-peer']);
    expect(s.fake.objects('peers').find((p) => p.id === handPeer.id)).toEqual(handPeer);

    const state = stateOf(s);
    expect(state.summary).toMatchObject({ deleted: 4, unchanged: 2, failed: 0 });
    expect(state.resources.filter((e) => e.operation === 'delete').every((e) => e.status === 'applied')).toBe(true);

    // Once deleted, they are gone from the inventory: the next run has nothing to do.
    s.fake.resetStats();
    const again = await s.apply();
    expect(again.code).toBe(0);
    expect(writes(s.fake)).toEqual([]);

    // An empty config deletes what dnsctl still manages, and still nothing made by hand.
    s.writeSpec({});
    s.fake.resetStats();
    const empty = await s.apply();
    expect(empty.code, empty.stdout + empty.stderr).toBe(0);
    expect(writes(s.fake).map((r) => r.method)).toEqual(['DELETE', 'DELETE']);
    expect(s.fake.objects('tsigs')).toEqual([handTsig]);
    expect(s.fake.objects('peers')).toEqual([handPeer]);
  });

  it('a renamed TSIG: the new one is created, the peer moved to it, and only then the old one deleted', async () => {
    const s = await setup(full);
    expect((await s.apply()).code).toBe(0);
    const old = s.fake.objects('tsigs').find((t) => t.name === 'drop.tsig.')!;
    const peer = s.fake.objects('peers').find((p) => p.name === 'drop-peer')!;
    s.writeSpec({
      tsigs: [full.tsigs![0]!, { name: 'renamed.tsig.', secretVar: 'SECRET_DROP' }],
      peers: full.peers!.map((p) => (p.tsig === 'drop.tsig.' ? { ...p, tsig: 'renamed.tsig.' } : p)),
    });
    s.fake.resetStats();
    const run = await s.apply();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const created = s.fake.objects('tsigs').find((t) => t.name === 'renamed.tsig.')!;
    expect(s.fake.objects('tsigs').some((t) => t.id === old.id)).toBe(false);
    expect(s.fake.objects('peers').find((p) => p.id === peer.id)?.tsig_id).toBe(created.id);
    const tsigDelete = writes(s.fake).find((r) => r.method === 'DELETE')!;
    expect(tsigDelete.path).toBe(`${collectionPath(s.fake, 'tsigs')}/${old.id}`);
    const peerPuts = writes(s.fake).filter((r) => r.method === 'PUT');
    expect(peerPuts).toHaveLength(2);
    for (const put of peerPuts) expect(tsigDelete.startedAt).toBeGreaterThanOrEqual(put.endedAt!);
    expect(actualObjects(s.fake)).toEqual(
      expectedObjects(s.fake, { tsigs: [full.tsigs![0]!, { name: 'renamed.tsig.', secretVar: 'SECRET_DROP' }], peers: full.peers!.map((p) => (p.tsig === 'drop.tsig.' ? { ...p, tsig: 'renamed.tsig.' } : p)) }, s.env),
    );
  });

  it('without a state file nothing is ever deleted', async () => {
    const s = await setup(full);
    expect((await s.apply()).code).toBe(0);
    s.writeSpec(reduced);
    s.fake.resetStats();
    const run = await runInProcess(['apply', s.config, '--state', join(s.dir, 'other.state.json'), '--timeout', '2'], { env: s.env });
    expect(run.code).toBe(0);
    expect(writes(s.fake)).toEqual([]);
    expect(run.stdout).toContain('4 object(s) in the account are not in the config');
  });

  it('deletes only the managed one of two namesakes when the config drops the name', async () => {
    const s = await setup(full);
    expect((await s.apply()).code).toBe(0);
    const mine = s.fake.objects('tsigs').find((t) => t.name === 'drop.tsig.')!;
    const hand = s.fake.seed('tsigs', { name: 'drop.tsig.', algo: 'hmac-sha1.', secret: 'by-hand' });
    s.writeSpec(reduced);
    s.fake.resetStats();
    // 4 deletes of 6 managed objects: above the blast-radius limit of 3, allowed for this run.
    const run = await s.apply('--allow-deletes', '4');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(writes(s.fake).filter((r) => r.path.includes('/tsigs/')).map((r) => r.path)).toEqual([`${collectionPath(s.fake, 'tsigs')}/${mine.id}`]);
    expect(s.fake.objects('tsigs').find((t) => t.name === 'drop.tsig.')).toEqual(hand);
  });
});
