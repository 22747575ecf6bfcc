/**
 * Issue 3: dnsctl against a misbehaving Cloudflare (the fake API's fault injection), over HTTP.
 *   - 429 with retry-after: waited for, then the apply completes;
 *   - 500s: retried (GET, PUT), or looked up before a POST is sent again;
 *   - lost answers to POSTs (drop-after, drop-before): each object exists exactly once;
 *   - a persistent failure of one TSIG's create: it fails, its peers are skipped with the reason,
 *     the rest is applied, exit 1, the state file records every outcome; the next apply completes
 *     the rest without duplicates or repeated writes;
 *   - hostile answers (not JSON, HTML, success:false with 200, no result, truncated, a hang past
 *     --timeout, 403, unknown account): exit 1 with one clear line naming the operation and
 *     Cloudflare's code/message, never a stack trace (these run the built CLI);
 *   - a request budget (30 per 3 s) with --rate 30/3: 78 requests complete with few 429s.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateFile } from '../../src/report/state.js';
import {
  assertBuilt,
  bigConfig,
  humanLines,
  randomHex,
  readJson,
  removeTempDirs,
  runCli,
  tempDir,
  writeConfig,
  type ConfigSpec,
} from '../support/cli.js';
import {
  actualObjects,
  closeFakes,
  collectionPath,
  expectedObjects,
  nameCounts,
  requestsTo,
  runInProcess,
  startFake,
  writes,
  type FakeCloudflare,
} from '../support/fake.js';

beforeAll(assertBuilt);
// Closed at the end of the file: tests may run concurrently, each with its own fake.
afterAll(closeFakes);
afterAll(removeTempDirs);

const SPEC: ConfigSpec = {
  tsigs: [
    { name: 'a.tsig.', secretVar: 'SECRET_A' },
    { name: 'b.tsig.', algo: 'hmac-sha256.', secretVar: 'SECRET_B' },
    { name: 'c.tsig.', secretVar: 'SECRET_C' },
  ],
  peers: [
    { name: 'a-peer-1', ip: '192.0.2.1', tsig: 'a.tsig.' },
    { name: 'a-peer-2', ip: '192.0.2.2', port: 5353, tsig: 'a.tsig.' },
    { name: 'b-peer', ip: '2001:db8::b', ixfr_enable: true, tsig: 'b.tsig.' },
    { name: 'c-peer', ip: '192.0.2.3', tsig: 'c.tsig.' },
    { name: 'plain-peer', ip: '192.0.2.4' },
  ],
};

/** The fault rule path of a collection (relative to the base URL). */
const rulePath = (fake: FakeCloudflare, collection: 'tsigs' | 'peers') => `/accounts/${fake.accountId}/secondary_dns/${collection}`;

/** The retry warnings in pino's JSON lines on stderr. */
function retryLogLines(stderr: string): Array<{ operation: unknown; waitMs: unknown; reason: unknown }> {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{"level"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.waitMs !== undefined)
    .map(({ operation, waitMs, reason }) => ({ operation, waitMs, reason }));
}

async function setup(spec: ConfigSpec = SPEC, fakeOptions: Parameters<typeof startFake>[0] = { latencyMs: 2 }) {
  const fake = await startFake(fakeOptions);
  const dir = tempDir();
  const config = writeConfig(dir, spec);
  const state = join(dir, 'state.json');
  const env: Record<string, string> = { CLOUDFLARE_API_TOKEN: fake.token, CLOUDFLARE_BASE_URL: fake.url };
  for (const t of spec.tsigs ?? []) env[t.secretVar] = randomHex(64);
  const apply = (...extra: string[]) => runInProcess(['apply', config, '--state', state, '--timeout', '2', ...extra], { env });
  const cli = (...args: string[]) => runCli([...args, '--state', state], { env });
  return { fake, dir, config, state, env, apply, cli, spec };
}

function expectAllOnce(fake: FakeCloudflare) {
  for (const collection of ['tsigs', 'peers'] as const) {
    for (const [name, count] of nameCounts(fake, collection)) expect(count, `${collection} named ${name}`).toBe(1);
  }
}

// First: it mostly waits (for the budget), so the other tests run meanwhile.
describe.concurrent('a request budget', () => {
  it('--rate 30/3 against a budget of 30 per 3 s: 25 TSIGs + 25 peers applied, no failure, few 429s', async () => {
    const fake = await startFake({ latencyMs: 2, budget: { limit: 30, windowMs: 3000 } });
    const dir = tempDir();
    const { spec, secrets } = bigConfig(25, 25);
    const config = writeConfig(dir, spec);
    const env = { CLOUDFLARE_API_TOKEN: fake.token, CLOUDFLARE_BASE_URL: fake.url, ...secrets };
    const run = await runInProcess(['apply', config, '--state', join(dir, 'state.json'), '--rate', '30/3', '--timeout', '5'], { env });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const state = readJson<StateFile>(join(dir, 'state.json'));
    expect(state.summary).toMatchObject({ created: 50, failed: 0, skipped: 0 });
    expect(actualObjects(fake)).toEqual(expectedObjects(fake, spec, env));
    const counts = fake.counts();
    // 2 lists + 25 TSIG POSTs + 25 peer POSTs + 25 peer PUTs, plus one retry per 429.
    expect(counts.total - counts.status429).toBe(78); // 3 lists, 25 + 25 POSTs, 25 PUTs
    expect(counts.status429).toBeLessThanOrEqual(5);
  }, 30_000);
});

describe.concurrent('429 with retry-after', () => {
  it('waits as told, then completes', async () => {
    const s = await setup({ tsigs: [SPEC.tsigs![0]!], peers: [SPEC.peers![0]!] });
    s.fake.injectFault({ kind: 'status', status: 429, retryAfter: '1', method: 'POST', path: rulePath(s.fake, 'tsigs') });
    const run = await s.apply('--concurrency', '1');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(actualObjects(s.fake)).toEqual(expectedObjects(s.fake, s.spec, s.env));
    expectAllOnce(s.fake);

    // Counts and order, not wall time: the one retry waits what the server said (that sleep
    // waits what it is given is tested with a fake clock), and the requests went in this order:
    // the answered 429, the same POST again, then the peer's POST and PUT.
    const retries = retryLogLines(run.stderr);
    expect(retries).toEqual([{ operation: 'POST tsigs', waitMs: 1000, reason: expect.stringContaining('429') }]);
    const order = s.fake.requests.map((r) => `${r.method} ${r.path.split('/secondary_dns/')[1]} ${r.status}`);
    expect(order.slice(-4).map((r) => r.replace(/\/[0-9a-f]{32}/, '/ID'))).toEqual([
      'POST tsigs 429',
      'POST tsigs 200',
      'POST peers 200',
      'PUT peers/ID 200',
    ]);
    expect(requestsTo(s.fake, 'POST', 'tsigs')).toHaveLength(2);
  });
});

describe.concurrent('500s', () => {
  it('a list answered 500 twice is retried', async () => {
    const s = await setup();
    s.fake.injectFault({ kind: 'status', status: 500, method: 'GET', path: rulePath(s.fake, 'tsigs'), times: 2 });
    const run = await s.apply();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(requestsTo(s.fake, 'GET', 'tsigs')).toHaveLength(3);
    expect(actualObjects(s.fake)).toEqual(expectedObjects(s.fake, s.spec, s.env));
  });

  it('a PUT answered 500 twice is retried', async () => {
    const s = await setup();
    s.fake.injectFault({ kind: 'status', status: 503, method: 'PUT', path: new RegExp(`^${rulePath(s.fake, 'peers')}/`), times: 2 });
    const run = await s.apply();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(requestsTo(s.fake, 'PUT', 'peers', true)).toHaveLength(5 + 2);
    expect(actualObjects(s.fake)).toEqual(expectedObjects(s.fake, s.spec, s.env));
  });

  it('a POST answered 500 is looked up, then sent again: created once', async () => {
    const s = await setup();
    s.fake.injectFault({ kind: 'status', status: 500, method: 'POST', path: rulePath(s.fake, 'tsigs') });
    const run = await s.apply('--concurrency', '1');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(requestsTo(s.fake, 'POST', 'tsigs')).toHaveLength(4);
    // The look-up: four GET tsigs after the 500 (a list may be stale: one, then three more with a
    // backoff), before the POST was sent again.
    const posts = requestsTo(s.fake, 'POST', 'tsigs');
    const lookups = requestsTo(s.fake, 'GET', 'tsigs').filter((r) => r.startedAt > posts[0]!.startedAt && r.startedAt < posts[1]!.startedAt);
    expect(lookups).toHaveLength(4);
    expectAllOnce(s.fake);
    expect(actualObjects(s.fake)).toEqual(expectedObjects(s.fake, s.spec, s.env));
  });
});

describe.concurrent('lost answers to a POST', () => {
  it.each(['tsigs', 'peers'] as const)('drop-after on POST %s: the object exists exactly once, the apply succeeds', async (collection) => {
    const s = await setup();
    s.fake.injectFault({ kind: 'drop-after', method: 'POST', path: rulePath(s.fake, collection) });
    const run = await s.apply();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(s.fake.requests.filter((r) => r.fault === 'drop-after')).toHaveLength(1);
    expectAllOnce(s.fake);
    // The lost request made the object: adopted, not sent again.
    expect(requestsTo(s.fake, 'POST', collection)).toHaveLength(collection === 'tsigs' ? 3 : 5);
    expect(actualObjects(s.fake)).toEqual(expectedObjects(s.fake, s.spec, s.env));
    const state = readJson<StateFile>(s.state);
    expect(state.outcome).toBe('success');
    const ids = new Set([...s.fake.objects('tsigs'), ...s.fake.objects('peers')].map((o) => o.id));
    expect(state.resources.every((e) => e.id !== null && ids.has(e.id))).toBe(true);
  });

  it.each(['tsigs', 'peers'] as const)('drop-before on POST %s: created once (sent again after the look-up)', async (collection) => {
    const s = await setup();
    s.fake.injectFault({ kind: 'drop-before', method: 'POST', path: rulePath(s.fake, collection) });
    const run = await s.apply();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expectAllOnce(s.fake);
    expect(requestsTo(s.fake, 'POST', collection)).toHaveLength(collection === 'tsigs' ? 4 : 6);
    expect(actualObjects(s.fake)).toEqual(expectedObjects(s.fake, s.spec, s.env));
  });

  it('a hang past --timeout on a POST: looked up, sent again, created once', async () => {
    const s = await setup({ tsigs: [SPEC.tsigs![0]!], peers: [] });
    s.fake.injectFault({ kind: 'hang', method: 'POST', path: rulePath(s.fake, 'tsigs') });
    const run = await runInProcess(['apply', s.config, '--state', s.state, '--timeout', '1'], { env: s.env });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expectAllOnce(s.fake);
    expect(s.fake.objects('tsigs')).toHaveLength(1);
  });
});

describe.concurrent('lost answers to idempotent writes', () => {
  it('drop-after on a DELETE: sent again, the 404 means done', async () => {
    const s = await setup();
    expect((await s.apply()).code).toBe(0);
    writeConfig(s.dir, { tsigs: SPEC.tsigs, peers: SPEC.peers!.filter((p) => p.name !== 'plain-peer') });
    const plain = s.fake.objects('peers').find((p) => p.name === 'plain-peer')!;
    s.fake.injectFault({ kind: 'drop-after', method: 'DELETE' });
    s.fake.resetStats();
    const run = await s.apply();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(s.fake.requests.filter((r) => r.method === 'DELETE').map((r) => r.status)).toEqual([0, 404]);
    expect(s.fake.objects('peers').some((p) => p.id === plain.id)).toBe(false);
    expect(readJson<StateFile>(s.state).summary).toMatchObject({ deleted: 1, failed: 0 });
  });

  it('drop-after on a PUT: sent again, the peer is complete', async () => {
    const s = await setup();
    s.fake.injectFault({ kind: 'drop-after', method: 'PUT' });
    const run = await s.apply();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(requestsTo(s.fake, 'PUT', 'peers', true)).toHaveLength(6);
    expectAllOnce(s.fake);
    expect(actualObjects(s.fake)).toEqual(expectedObjects(s.fake, s.spec, s.env));
  });
});

describe.concurrent('a persistent failure of one TSIG create', () => {
  it('fails that TSIG, skips its peers with the reason, applies the rest; the next apply completes the rest', async () => {
    const s = await setup();
    // --concurrency 1: a.tsig. (first in plan order) is created first, and its 3 attempts
    // (--max-retries 2: the POST, then after each look-up one more) all get the 500.
    s.fake.injectFault({ kind: 'status', status: 500, method: 'POST', path: rulePath(s.fake, 'tsigs'), times: 3 });
    const run = await s.apply('--concurrency', '1', '--max-retries', '2');
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(s.fake.requests.filter((r) => r.status === 500)).toHaveLength(3);
    expect(run.stdout).toContain('✗ TSIG a.tsig.: create failed: POST tsigs: HTTP 500: [1000] Internal Server Error');
    expect(run.stdout).toMatch(/peer a-peer-1: create skipped: TSIG "a\.tsig\." failed: POST tsigs: HTTP 500/);

    const state = readJson<StateFile>(s.state);
    expect(state.outcome).toBe('partial');
    const byName = new Map(state.resources.map((e) => [e.name, e]));
    expect(byName.size).toBe(8);
    expect(byName.get('a.tsig.')).toMatchObject({ operation: 'create', status: 'failed', id: null });
    expect(byName.get('a.tsig.')?.error).toContain('POST tsigs: HTTP 500: [1000] Internal Server Error');
    for (const name of ['a-peer-1', 'a-peer-2']) {
      expect(byName.get(name)).toMatchObject({ operation: 'create', status: 'skipped', id: null });
      expect(byName.get(name)?.error).toContain('TSIG "a.tsig." failed');
    }
    for (const name of ['b.tsig.', 'c.tsig.', 'b-peer', 'c-peer', 'plain-peer']) {
      expect(byName.get(name)).toMatchObject({ operation: 'create', status: 'applied' });
      expect(byName.get(name)?.id).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(state.summary).toEqual({ created: 5, updated: 0, deleted: 0, unchanged: 0, failed: 1, skipped: 2 });
    expect(nameCounts(s.fake, 'tsigs').has('a.tsig.')).toBe(false);
    const done = actualObjects(s.fake);

    // The fault is used up: the next apply does exactly what is left.
    s.fake.resetStats();
    const again = await s.apply();
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(writes(s.fake).map((r) => `${r.method} ${r.path.replace(/\/[0-9a-f]{32}$/, '/ID')}`).sort()).toEqual(
      [
        `POST ${collectionPath(s.fake, 'tsigs')}`,
        `POST ${collectionPath(s.fake, 'peers')}`,
        `POST ${collectionPath(s.fake, 'peers')}`,
        `PUT ${collectionPath(s.fake, 'peers')}/ID`,
        `PUT ${collectionPath(s.fake, 'peers')}/ID`,
      ].sort(),
    );
    expectAllOnce(s.fake);
    expect(actualObjects(s.fake)).toEqual(expectedObjects(s.fake, s.spec, s.env));
    // What was already done was not written again.
    for (const obj of [...done.tsigs, ...done.peers]) {
      expect([...actualObjects(s.fake).tsigs, ...actualObjects(s.fake).peers]).toContainEqual(obj);
    }
    const final = readJson<StateFile>(s.state);
    expect(final.outcome).toBe('success');
    expect(final.summary).toEqual({ created: 3, updated: 0, deleted: 0, unchanged: 5, failed: 0, skipped: 0 });
  });
});

describe.concurrent('hostile answers: exit 1, one clear line, no stack trace (built CLI)', () => {
  interface Case {
    name: string;
    inject: (fake: FakeCloudflare) => void;
    expected: RegExp;
    args?: string[];
    fake?: Parameters<typeof startFake>[0];
    accountId?: string;
    /** The failure is reported for an operation (stdout) rather than as the run's error (stderr). */
    inOperation?: boolean;
  }
  const cases: Case[] = [
    {
      name: 'a list answer that is not JSON',
      inject: (f) => f.injectFault({ kind: 'non-json', method: 'GET', path: rulePath(f, 'tsigs'), times: Infinity }),
      expected: /^dnsctl: error: GET tsigs: HTTP 200: an answer that is not valid JSON: "upstream connect error or disconnect"$/,
    },
    {
      name: 'an HTML error page (502)',
      inject: (f) => f.injectFault({ kind: 'html', method: 'GET', path: rulePath(f, 'peers'), times: Infinity }),
      expected: /^dnsctl: error: GET peers: HTTP 502: an HTML page instead of JSON.*"502 Bad Gateway"$/,
    },
    {
      name: 'success:false with HTTP 200',
      inject: (f) =>
        f.injectFault({
          kind: 'success-false-200',
          method: 'GET',
          path: rulePath(f, 'tsigs'),
          times: Infinity,
          errors: [{ code: 1234, message: 'Something odd happened' }],
        }),
      expected: /^dnsctl: error: GET tsigs: HTTP 200: \[1234\] Something odd happened$/,
    },
    {
      name: 'an envelope without result',
      inject: (f) => f.injectFault({ kind: 'missing-result', method: 'GET', path: rulePath(f, 'peers'), times: Infinity }),
      expected: /^dnsctl: error: GET peers: HTTP 200: the answer reports success but has no "result"$/,
    },
    {
      name: 'a truncated body',
      inject: (f) => f.injectFault({ kind: 'truncated', method: 'GET', path: rulePath(f, 'peers'), times: Infinity }),
      expected: /^dnsctl: error: GET peers: HTTP 200: a JSON answer that is cut short or malformed \(\d+ bytes\)$/,
    },
    {
      name: 'a hang past --timeout',
      inject: (f) => f.injectFault({ kind: 'hang', method: 'GET', path: rulePath(f, 'tsigs'), times: Infinity }),
      expected: /^dnsctl: error: GET tsigs: no complete answer within 1000 ms$/,
      args: ['--timeout', '1', '--max-retries', '0'],
    },
    {
      name: '403 (wrong token)',
      inject: () => {},
      fake: { token: `other-${randomHex(8)}` },
      expected: /^dnsctl: error: GET (tsigs|peers): HTTP 403: \[10000\] Authentication error — .*"Account Settings Write" permission/,
    },
    {
      name: 'an unknown account (404)',
      inject: () => {},
      accountId: 'ffffffffffffffffffffffffffffffff',
      expected: /^dnsctl: error: GET (tsigs|peers): HTTP 404: \[7003\] Could not route to .*account id ffffffffffffffffffffffffffffffff may be wrong$/,
    },
    {
      name: 'success:false with HTTP 200 on a create',
      inject: (f) =>
        f.injectFault({
          kind: 'success-false-200',
          method: 'POST',
          path: rulePath(f, 'tsigs'),
          errors: [{ code: 1001, message: 'secret: too weak' }],
        }),
      expected: /^✗ TSIG a\.tsig\.: create failed: POST tsigs: HTTP 200: \[1001\] secret: too weak$/,
      args: ['--concurrency', '1'],
      inOperation: true,
    },
    {
      name: '403 on a create',
      inject: (f) =>
        f.injectFault({
          kind: 'status',
          status: 403,
          method: 'POST',
          path: rulePath(f, 'peers'),
          errors: [{ code: 10000, message: 'Authentication error' }],
        }),
      expected: /^✗ peer .*: create failed: POST peers: HTTP 403: \[10000\] Authentication error — .*Account Settings Write/,
      inOperation: true,
    },
  ];

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const fake = await startFake({ latencyMs: 1, ...c.fake });
    const dir = tempDir();
    const spec = { ...SPEC, ...(c.accountId ? { accountId: c.accountId } : {}) };
    const config = writeConfig(dir, spec);
    const state = join(dir, 'state.json');
    const env: Record<string, string> = { CLOUDFLARE_API_TOKEN: `tok-${randomHex(16)}`, CLOUDFLARE_BASE_URL: fake.url };
    if (!c.fake?.token) env.CLOUDFLARE_API_TOKEN = fake.token;
    for (const t of SPEC.tsigs!) env[t.secretVar] = randomHex(64);
    c.inject(fake);

    const run = await runCli(['apply', config, '--state', state, '--timeout', '2', '--max-retries', '1', ...(c.args ?? [])], { env });
    const all = `${run.stdout}\n${run.stderr}`;
    expect(run.code, all).toBe(1);
    expect(all).not.toContain('    at ');
    expect(all).not.toContain('internal error');
    if (c.inOperation) {
      expect(run.stdout.split('\n').filter((l) => c.expected.test(l)).length, all).toBeGreaterThanOrEqual(1);
      expect(readJson<StateFile>(state).outcome).toBe('partial');
    } else {
      // One line for people (pino's JSON warnings about retries aside), and it says it all.
      expect(humanLines(run.stderr), all).toHaveLength(1);
      expect(humanLines(run.stderr)[0]).toMatch(c.expected);
      const report = readJson<StateFile>(state);
      expect(report.outcome).toBe('failed');
      expect(report.error).toBeTruthy();
      expect(`dnsctl: error: ${report.error}`).toMatch(c.expected);
    }
    for (const t of SPEC.tsigs!) expect(all).not.toContain(env[t.secretVar]);
    expect(all).not.toContain(env.CLOUDFLARE_API_TOKEN);
  });
});
