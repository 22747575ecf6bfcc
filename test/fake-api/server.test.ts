import { request, Agent } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { FRESH_PEER, startFakeCloudflare } from './server.mjs';

type Fake = Awaited<ReturnType<typeof startFakeCloudflare>>;
type Options = Parameters<typeof startFakeCloudflare>[0];

const started: Fake[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()));
});

async function start(options?: Options): Promise<Fake> {
  const fake = await startFakeCloudflare(options);
  started.push(fake);
  return fake;
}

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

const BEARER = { authorization: 'Bearer test-token' };

/** Calls the fake; `path` is relative to the account's secondary_dns collection root. */
async function call(
  fake: Fake,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = BEARER,
): Promise<Answer> {
  const res = await fetch(`${fake.url}/accounts/${fake.accountId}/secondary_dns/${path}`, {
    method,
    headers: { ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

const ID = /^[0-9a-f]{32}$/;
const TSIG = { name: 'tsig.example.', algo: 'hmac-sha512.', secret: 'c0ffee' };

function expectError(answer: Answer, status: number, code: number): void {
  expect(answer.status).toBe(status);
  expect(answer.body).toMatchObject({ success: false, result: null, messages: [] });
  expect(answer.body.errors[0].code).toBe(code);
}

describe('TSIG CRUD', () => {
  it('creates, lists, reads, replaces and deletes, returning the secret', async () => {
    const fake = await start();
    const created = await call(fake, 'POST', 'tsigs', TSIG);
    expect(created.status).toBe(200);
    expect(created.headers.get('content-type')).toBe('application/json');
    expect(created.body).toEqual({ success: true, errors: [], messages: [], result: { id: expect.stringMatching(ID), ...TSIG } });
    const id: string = created.body.result.id;

    const list = await call(fake, 'GET', 'tsigs');
    expect(list.body.result).toEqual([{ id, ...TSIG }]);
    expect(list.body.result_info).toEqual({ page: 1, per_page: 1, count: 1, total_count: 1, total_pages: 1 });
    expect((await call(fake, 'GET', `tsigs/${id}`)).body.result).toEqual({ id, ...TSIG });

    const replaced = await call(fake, 'PUT', `tsigs/${id}`, { ...TSIG, secret: 'beef' });
    expect(replaced.body.result).toEqual({ id, ...TSIG, secret: 'beef' });
    expect(fake.objects('tsigs')).toEqual([{ id, ...TSIG, secret: 'beef' }]);

    expect((await call(fake, 'DELETE', `tsigs/${id}`)).body.result).toEqual({ id });
    expect(fake.objects('tsigs')).toEqual([]);
    expectError(await call(fake, 'GET', `tsigs/${id}`), 404, 1004);
  });

  it('requires name, algo and secret on create and on PUT, reporting each missing field', async () => {
    const fake = await start();
    const bad = await call(fake, 'POST', 'tsigs', { name: 'k.', secret: 7 });
    expectError(bad, 400, 1001);
    expect(bad.body.errors.map((e: { message: string }) => e.message)).toEqual([
      'algo: is required',
      'secret: must be a non-empty string',
    ]);
    expect(fake.objects('tsigs')).toEqual([]);

    const { id } = fake.seed('tsigs', TSIG);
    expectError(await call(fake, 'PUT', `tsigs/${id}`, { name: 'k.', algo: 'hmac-sha256.' }), 400, 1001);
    expect(fake.objects('tsigs')).toEqual([{ id, ...TSIG }]);
  });

  it('allows duplicate names', async () => {
    const fake = await start();
    await call(fake, 'POST', 'tsigs', TSIG);
    await call(fake, 'POST', 'tsigs', TSIG);
    const ids = fake.objects('tsigs').map((t) => t.id);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
  });
});

describe('peer CRUD', () => {
  it('POST keeps only the name: a fresh peer has empty ip, port 0, no TSIG', async () => {
    const fake = await start();
    const created = await call(fake, 'POST', 'peers', { name: 'p1', ip: '192.0.2.53', port: 53, ixfr_enable: true });
    expect(created.body.result).toEqual({ id: expect.stringMatching(ID), name: 'p1', ...FRESH_PEER });
    expect(FRESH_PEER).toEqual({ ip: '', port: 0, ixfr_enable: false, tsig_id: '' });
  });

  it('PUT replaces the whole peer: a field left out is reset to its fresh value', async () => {
    const fake = await start();
    const tsig = fake.seed('tsigs', TSIG);
    const { id } = (await call(fake, 'POST', 'peers', { name: 'p1' })).body.result;
    const full = { name: 'p1', ip: '2001:db8::53', port: 5353, ixfr_enable: true, tsig_id: tsig.id };
    expect((await call(fake, 'PUT', `peers/${id}`, full)).body.result).toEqual({ id, ...full });

    const partial = await call(fake, 'PUT', `peers/${id}`, { name: 'p2', ip: '192.0.2.1' });
    expect(partial.body.result).toEqual({ id, name: 'p2', ip: '192.0.2.1', port: 0, ixfr_enable: false, tsig_id: '' });
    expect(fake.objects('peers')).toEqual([partial.body.result]);
  });

  it('PUT validates ip, port, ixfr_enable and tsig_id and leaves the peer unchanged on error', async () => {
    const fake = await start();
    const peer = fake.seed('peers', { name: 'p1' });
    const cases = [
      { ip: '300.1.1.1' },
      { ip: 'ns1.example.' },
      { port: 70000 },
      { port: 53.5 },
      { port: '53' },
      { ixfr_enable: 'yes' },
      { tsig_id: 'f'.repeat(32) },
      { name: '' },
    ];
    for (const fields of cases) {
      const answer = await call(fake, 'PUT', `peers/${peer.id}`, { name: 'p1', ...fields });
      expectError(answer, 400, 1001);
      expect(answer.body.errors[0].source.pointer).toBe(`/${Object.keys(fields)[0]}`);
    }
    expect(fake.objects('peers')).toEqual([peer]);
    expectError(await call(fake, 'PUT', `peers/${'0'.repeat(32)}`, { name: 'x' }), 404, 1004);
    expect((await call(fake, 'DELETE', `peers/${peer.id}`)).body.result).toEqual({ id: peer.id });
    expectError(await call(fake, 'DELETE', `peers/${peer.id}`), 404, 1004);
  });
});

describe('ACLs', () => {
  it('create and PUT need a name and a CIDR of at most /24 (IPv4) or /64 (IPv6)', async () => {
    const fake = await start();
    const created = await call(fake, 'POST', 'acls', { name: 'a', ip_range: '192.0.2.0/24' });
    expect(created.body.result).toEqual({ id: expect.stringMatching(ID), name: 'a', ip_range: '192.0.2.0/24' });
    const id: string = created.body.result.id;
    expect((await call(fake, 'PUT', `acls/${id}`, { name: 'b', ip_range: '2001:db8::/64' })).body.result).toEqual({
      id,
      name: 'b',
      ip_range: '2001:db8::/64',
    });
    for (const ip_range of ['10.0.0.0/8', '2001:db8::/48', '192.0.2.0', '192.0.2.0/33', 'x/24']) {
      expectError(await call(fake, 'POST', 'acls', { name: 'c', ip_range }), 400, 1001);
    }
    expect(fake.objects('acls')).toHaveLength(1);
  });
});

describe('authentication and routing errors', () => {
  it('answers 403 / 10000 to a missing or wrong token and to legacy auth when not configured', async () => {
    const fake = await start();
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer nope' }, { 'x-auth-email': 'a@b.c', 'x-auth-key': 'k' }];
    for (const headers of attempts) {
      const answer = await call(fake, 'GET', 'tsigs', undefined, headers);
      expectError(answer, 403, 10000);
      expect(answer.body.errors[0].message).toBe('Authentication error');
    }
  });

  it('accepts legacy email + key auth when configured, and still the token', async () => {
    const fake = await start({ email: 'ops@example.com', apiKey: 'global-key' });
    const legacy = { 'x-auth-email': 'ops@example.com', 'x-auth-key': 'global-key' };
    expect((await call(fake, 'GET', 'tsigs', undefined, legacy)).status).toBe(200);
    expect((await call(fake, 'GET', 'tsigs')).status).toBe(200);
    expectError(await call(fake, 'GET', 'tsigs', undefined, { ...legacy, 'x-auth-key': 'wrong' }), 403, 10000);
  });

  it('answers 404 to an unknown account, object or route, 405 to a wrong method, 400 to bad JSON', async () => {
    const fake = await start({ accountId: 'acc' });
    const other = await fetch(`${fake.url}/accounts/other/secondary_dns/peers`, { headers: BEARER });
    expect(other.status).toBe(404);
    expect(((await other.json()) as Answer['body']).errors).toEqual([
      { code: 7003, message: 'Could not route to /accounts/other/secondary_dns/peers, perhaps your object identifier is invalid?' },
    ]);
    expectError(await call(fake, 'GET', `peers/${'a'.repeat(32)}`), 404, 1004);
    expectError(await call(fake, 'GET', 'zones'), 404, 7000);
    expectError(await call(fake, 'DELETE', 'peers'), 405, 7001);
    expectError(await call(fake, 'POST', 'peers', '{"name":'), 400, 1002);
    expectError(await call(fake, 'POST', 'peers', '["p"]'), 400, 1002);
    expect(fake.objects('peers')).toEqual([]);
  });
});

describe('paging', () => {
  it('with perPage 2, five objects come in three pages with matching result_info', async () => {
    const fake = await start({ perPage: 2 });
    const names = ['a', 'b', 'c', 'd', 'e'];
    for (const name of names) fake.seed('peers', { name });
    const pages = [];
    for (const page of [1, 2, 3]) pages.push(await call(fake, 'GET', `peers?page=${page}`));
    expect(pages.map((p) => p.body.result.map((r: { name: string }) => r.name))).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(pages.map((p) => p.body.result_info)).toEqual([
      { page: 1, per_page: 2, count: 2, total_count: 5, total_pages: 3 },
      { page: 2, per_page: 2, count: 2, total_count: 5, total_pages: 3 },
      { page: 3, per_page: 2, count: 1, total_count: 5, total_pages: 3 },
    ]);
    expect((await call(fake, 'GET', 'peers')).body.result_info.page).toBe(1);
    const wide = await call(fake, 'GET', 'peers?per_page=10');
    expect(wide.body.result).toHaveLength(5);
    expect(wide.body.result_info).toMatchObject({ per_page: 10, total_pages: 1 });
    expectError(await call(fake, 'GET', 'peers?page=0'), 400, 1001);
    expect(fake.requests.at(-2)?.query).toEqual({ per_page: '10' });
  });
});

describe('latency, in-flight tracking and the request record', () => {
  it('overlaps concurrent requests, each delayed by latencyMs', async () => {
    const fake = await start({ latencyMs: 150 });
    const began = performance.now();
    const answers = await Promise.all([1, 2, 3].map(() => call(fake, 'GET', 'tsigs')));
    const elapsed = performance.now() - began;
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(fake.peakInFlight).toBe(3);
    expect(fake.inFlight).toBe(0);
    expect(elapsed).toBeLessThan(3 * 150);
    for (const r of fake.requests) expect(Number(r.endedAt) - r.startedAt).toBeGreaterThanOrEqual(149);
    expect(fake.requests[0]).toMatchObject({
      method: 'GET',
      path: `/client/v4/accounts/${fake.accountId}/secondary_dns/tsigs`,
      query: {},
      status: 200,
    });
  });

  it('counts requests by method and 429s, and resets its statistics', async () => {
    const fake = await start();
    fake.injectFault({ kind: 'status', status: 429 });
    await call(fake, 'POST', 'tsigs', TSIG);
    await call(fake, 'POST', 'tsigs', TSIG);
    await call(fake, 'GET', 'tsigs');
    expect(fake.counts()).toEqual({ total: 3, byMethod: { GET: 1, POST: 2, PUT: 0, DELETE: 0 }, status429: 1 });
    fake.resetStats();
    expect(fake.counts()).toEqual({ total: 0, byMethod: { GET: 0, POST: 0, PUT: 0, DELETE: 0 }, status429: 0 });
    expect(fake.requests).toEqual([]);
    expect(fake.peakInFlight).toBe(0);
  });

  it('keeps connections alive between requests', async () => {
    const fake = await start();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<boolean>((resolve, reject) => {
        const req = request(`${fake.url}/accounts/${fake.accountId}/secondary_dns/peers`, { agent, headers: BEARER }, (res) => {
          res.resume();
          res.on('end', () => resolve(req.reusedSocket));
        });
        req.on('error', reject);
        req.end();
      });
    expect([await get(), await get(), await get()]).toEqual([false, true, true]);
    agent.destroy();
  });

  it('seed generates ids and fresh peer fields; objects returns copies', async () => {
    const fake = await start();
    const peer = fake.seed('peers', { name: 'p', ip: '192.0.2.1' });
    expect(peer).toEqual({ id: expect.stringMatching(ID), name: 'p', ip: '192.0.2.1', port: 0, ixfr_enable: false, tsig_id: '' });
    expect(fake.seed('tsigs', { id: 'fixed', ...TSIG }).id).toBe('fixed');
    const [copy] = fake.objects('peers');
    copy!.name = 'changed';
    expect(fake.objects('peers')[0]?.name).toBe('p');
  });
});

describe('request budget', () => {
  it('announces the budget, then refuses past the limit with 429, 971 and retry-after', async () => {
    const fake = await start({ budget: { limit: 3, windowMs: 60_000 } });
    const admitted = [];
    for (let i = 0; i < 3; i++) admitted.push(await call(fake, 'GET', 'tsigs'));
    expect(admitted.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(admitted.map((a) => a.headers.get('ratelimit'))).toEqual([
      '"default";r=2;t=60',
      '"default";r=1;t=60',
      '"default";r=0;t=60',
    ]);
    expect(admitted[0]?.headers.get('ratelimit-policy')).toBe('"default";q=3;w=60');

    const refused = await call(fake, 'GET', 'tsigs');
    expectError(refused, 429, 971);
    expect(refused.body.errors[0].message).toBe('Please wait and consider throttling your request speed');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(fake.counts().status429).toBe(1);
  });

  it('admits requests again once the window has slid past', async () => {
    const fake = await start({ budget: { limit: 2, windowMs: 200 } });
    await call(fake, 'GET', 'tsigs');
    await call(fake, 'GET', 'tsigs');
    expect((await call(fake, 'GET', 'tsigs')).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await call(fake, 'GET', 'tsigs')).status).toBe(200);
  });
});

describe('faults', () => {
  const rawFetch = (fake: Fake, method: string, path: string, body?: unknown) =>
    fetch(`${fake.url}/accounts/${fake.accountId}/secondary_dns/${path}`, {
      method,
      headers: { ...BEARER, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('status: answers the given status, errors and retry-after, without effect, `times` times', async () => {
    const fake = await start();
    fake.injectFault({ kind: 'status', status: 503, retryAfter: '2', times: 2, errors: [{ code: 2000, message: 'busy' }] });
    for (let i = 0; i < 2; i++) {
      const answer = await call(fake, 'POST', 'tsigs', TSIG);
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('2');
      expect(answer.body.errors).toEqual([{ code: 2000, message: 'busy' }]);
    }
    expect(fake.objects('tsigs')).toEqual([]);
    expect((await call(fake, 'POST', 'tsigs', TSIG)).status).toBe(200);
    expect(fake.requests.map((r) => r.fault)).toEqual(['status', 'status', undefined]);
  });

  it('matches rules by method and by path relative to the base URL', async () => {
    const fake = await start();
    fake.injectFault({ kind: 'status', status: 500, method: 'post', path: /\/peers$/ });
    fake.injectFault({ kind: 'status', status: 502, path: `/accounts/${fake.accountId}/secondary_dns/tsigs` });
    expect((await call(fake, 'GET', 'peers')).status).toBe(200);
    expect((await call(fake, 'POST', 'tsigs', TSIG)).status).toBe(502);
    expect((await call(fake, 'POST', 'peers', { name: 'p' })).status).toBe(500);
    expect((await call(fake, 'POST', 'peers', { name: 'p' })).status).toBe(200);
  });

  it('drop-before: the client gets a socket error and nothing is created', async () => {
    const fake = await start();
    fake.injectFault({ kind: 'drop-before' });
    await expect(rawFetch(fake, 'POST', 'peers', { name: 'p' })).rejects.toThrow();
    expect(fake.objects('peers')).toEqual([]);
    expect(fake.requests[0]).toMatchObject({ status: 0, fault: 'drop-before' });
    expect(fake.requests[0]?.endedAt).not.toBeNull();
  });

  it('drop-after: the client gets a socket error but the object exists', async () => {
    const fake = await start();
    fake.injectFault({ kind: 'drop-after' });
    await expect(rawFetch(fake, 'POST', 'peers', { name: 'p' })).rejects.toThrow();
    expect(fake.objects('peers')).toEqual([{ id: expect.stringMatching(ID), name: 'p', ...FRESH_PEER }]);
  });

  it('html: a text/html 502 page (or 200 when asked), without effect', async () => {
    const fake = await start();
    fake.injectFault({ kind: 'html' });
    fake.injectFault({ kind: 'html', status: 200 });
    for (const status of [502, 200]) {
      const res = await rawFetch(fake, 'POST', 'peers', { name: 'p' });
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).toMatch(/^<!DOCTYPE html>/);
    }
    expect(fake.objects('peers')).toEqual([]);
  });

  it('non-json: a body that does not parse, without effect', async () => {
    const fake = await start();
    fake.injectFault({ kind: 'non-json' });
    const res = await rawFetch(fake, 'POST', 'peers', { name: 'p' });
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow(SyntaxError);
    expect(fake.objects('peers')).toEqual([]);
  });

  it('truncated: the first half of the real JSON answer, with effect', async () => {
    const fake = await start();
    fake.injectFault({ kind: 'truncated' });
    const res = await rawFetch(fake, 'POST', 'peers', { name: 'p' });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.startsWith('{"success":true')).toBe(true);
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(fake.objects('peers')).toHaveLength(1);
  });

  it('success-false-200: HTTP 200 with success false, without effect', async () => {
    const fake = await start();
    fake.injectFault({ kind: 'success-false-200' });
    const answer = await call(fake, 'POST', 'peers', { name: 'p' });
    expect(answer.status).toBe(200);
    expect(answer.body.success).toBe(false);
    expect(answer.body.errors[0].code).toBeGreaterThanOrEqual(1000);
    expect(fake.objects('peers')).toEqual([]);
  });

  it('missing-result: success true without result, with effect', async () => {
    const fake = await start();
    fake.injectFault({ kind: 'missing-result' });
    const answer = await call(fake, 'POST', 'peers', { name: 'p' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ success: true, errors: [], messages: [] });
    expect(fake.objects('peers')).toHaveLength(1);
  });

  it('hang: never answers, and close() returns promptly anyway', async () => {
    const fake = await startFakeCloudflare();
    fake.injectFault({ kind: 'hang' });
    const pending = rawFetch(fake, 'GET', 'peers').then(
      () => 'answered',
      () => 'failed',
    );
    while (fake.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake.inFlight).toBe(1);
    const began = performance.now();
    await fake.close();
    expect(performance.now() - began).toBeLessThan(1000);
    expect(await pending).toBe('failed');
    expect(fake.inFlight).toBe(0);
    expect(fake.requests[0]).toMatchObject({ status: 0, fault: 'hang' });
  });
});
