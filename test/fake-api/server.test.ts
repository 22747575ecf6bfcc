import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FRESH_PEER, startFakeCloudflare, type FaultRule } from './server.mjs';

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

/** Calls the fake; `path` is relative to the base URL (`/zones/…`, `/accounts/…`). */
async function api(
  fake: Fake,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = BEARER,
): Promise<Answer> {
  const res = await fetch(`${fake.url}${path}`, {
    method,
    redirect: 'manual',
    headers: { ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

/** Calls the fake; `path` is relative to the account's secondary_dns collection root. */
function call(fake: Fake, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer> {
  return api(fake, method, `/accounts/${fake.accountId}/secondary_dns/${path}`, body, headers);
}

/** Calls a zone's secondary_dns route, e.g. `incoming` or `outgoing/enable`. */
function zoneCall(fake: Fake, zoneId: string, method: string, path: string, body?: unknown): Promise<Answer> {
  return api(fake, method, `/zones/${zoneId}/secondary_dns/${path}`, body);
}

const ID = /^[0-9a-f]{32}$/;
/** As recorded: 2025-03-11T20:13:16.750498Z */
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const TSIG = { name: 'tsig.example.', algo: 'hmac-sha512.', secret: 'c0ffee' };
const ZONE_ID = '269d8f4853475ca241c4e730be286b20';

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
    expect(list.body).toEqual({ success: true, errors: [], messages: [], result: [{ id, ...TSIG }] });
    expect((await call(fake, 'GET', `tsigs/${id}`)).body.result).toEqual({ id, ...TSIG });

    const replaced = await call(fake, 'PUT', `tsigs/${id}`, { ...TSIG, secret: 'beef' });
    expect(replaced.body.result).toEqual({ id, ...TSIG, secret: 'beef' });
    expect(fake.objects('tsigs')).toEqual([{ id, ...TSIG, secret: 'beef' }]);

    expect((await call(fake, 'DELETE', `tsigs/${id}`)).body.result).toEqual({ id });
    expect(fake.objects('tsigs')).toEqual([]);
    expectError(await call(fake, 'GET', `tsigs/${id}`), 404, 1004);
  });

  it('adds the trailing dot to a name created or renamed without one, keeping its case', async () => {
    const fake = await start();
    const created = await call(fake, 'POST', 'tsigs', { ...TSIG, name: 'fazhgkukxs' });
    expect(created.body.result.name).toBe('fazhgkukxs.');
    const { id } = created.body.result;
    expect((await call(fake, 'GET', 'tsigs')).body.result[0].name).toBe('fazhgkukxs.');
    expect((await call(fake, 'PUT', `tsigs/${id}`, { ...TSIG, name: 'Key.Example' })).body.result.name).toBe('Key.Example.');
    expect((await call(fake, 'PUT', `tsigs/${id}`, { ...TSIG, name: 'Key.Example.' })).body.result.name).toBe('Key.Example.');
    expect(fake.seed('tsigs', { ...TSIG, name: 'seeded' }).name).toBe('seeded.');
    expect(fake.objects('tsigs').map((t) => t.name)).toEqual(['Key.Example.', 'seeded.']);
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
    expectError(await call(fake, 'PUT', `tsigs/${id}`, { name: null, algo: 'hmac-sha256.', secret: 's' }), 400, 1001);
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

describe('peers', () => {
  const FULL = { ip: '2001:db8::53', port: 5353, ixfr_enable: true };

  it('FRESH_PEER has empty ip, port 0, ixfr off and no tsig_id field', () => {
    expect(FRESH_PEER).toEqual({ ip: '', port: 0, ixfr_enable: false });
    expect('tsig_id' in FRESH_PEER).toBe(false);
  });

  it("peerPost 'name-only' (default): POST keeps only the name and ignores the rest unchecked", async () => {
    const fake = await start();
    const tsig = fake.seed('tsigs', TSIG);
    const created = await call(fake, 'POST', 'peers', { name: 'p1', ...FULL, tsig_id: tsig.id });
    expect(created.body.result).toEqual({ id: expect.stringMatching(ID), name: 'p1', ...FRESH_PEER });
    expect(Object.keys(created.body.result)).not.toContain('tsig_id');
    const ignored = await call(fake, 'POST', 'peers', { name: 'p2', ip: 'not-an-ip', tsig_id: 'f'.repeat(32) });
    expect(ignored.body.result).toEqual({ id: expect.stringMatching(ID), name: 'p2', ...FRESH_PEER });
    expectError(await call(fake, 'POST', 'peers', { ip: '192.0.2.1' }), 400, 1001);
    expect(fake.objects('peers').map((p) => p.name)).toEqual(['p1', 'p2']);
  });

  it("peerPost 'full-body': POST applies and checks every field; unset fields keep their unset values", async () => {
    const fake = await start({ peerPost: 'full-body' });
    const tsig = fake.seed('tsigs', TSIG);
    const full = await call(fake, 'POST', 'peers', { name: 'p1', ...FULL, tsig_id: tsig.id });
    expect(full.body.result).toEqual({ id: expect.stringMatching(ID), name: 'p1', ...FULL, tsig_id: tsig.id });
    const partial = await call(fake, 'POST', 'peers', { name: 'p2', ip: '192.0.2.2', tsig_id: '' });
    expect(partial.body.result).toEqual({ id: expect.stringMatching(ID), name: 'p2', ...FRESH_PEER, ip: '192.0.2.2' });
    const bad = await call(fake, 'POST', 'peers', { name: 'p3', ip: 'not-an-ip', tsig_id: 'f'.repeat(32) });
    expectError(bad, 400, 1001);
    expect(bad.body.errors.map((e: { source: { pointer: string } }) => e.source.pointer)).toEqual(['/ip', '/tsig_id']);
    expect(fake.objects('peers').map((p) => p.name)).toEqual(['p1', 'p2']);
  });

  it("peerPut 'replace' (default): a field left out is reset; tsig_id \"\" or null clears it", async () => {
    const fake = await start();
    const tsig = fake.seed('tsigs', TSIG);
    const { id } = (await call(fake, 'POST', 'peers', { name: 'p1' })).body.result;
    const full = { name: 'p1', ...FULL, tsig_id: tsig.id };
    expect((await call(fake, 'PUT', `peers/${id}`, full)).body.result).toEqual({ id, ...full });

    const partial = await call(fake, 'PUT', `peers/${id}`, { name: 'p2', ip: '192.0.2.1' });
    expect(partial.body.result).toEqual({ id, name: 'p2', ...FRESH_PEER, ip: '192.0.2.1' });
    expect(fake.objects('peers')).toEqual([partial.body.result]);

    for (const cleared of ['', null]) {
      await call(fake, 'PUT', `peers/${id}`, full);
      const answer = await call(fake, 'PUT', `peers/${id}`, { ...full, tsig_id: cleared });
      expect(answer.body.result).toEqual({ id, name: 'p1', ...FULL });
      expect(Object.keys((await call(fake, 'GET', `peers/${id}`)).body.result)).not.toContain('tsig_id');
    }
  });

  it("peerPut 'merge': a field left out keeps its value; explicit \"\", null and 0 clear", async () => {
    const fake = await start({ peerPut: 'merge' });
    const tsig = fake.seed('tsigs', TSIG);
    const { id } = fake.seed('peers', { name: 'p1' });
    const full = { name: 'p1', ...FULL, tsig_id: tsig.id };
    expect((await call(fake, 'PUT', `peers/${id}`, full)).body.result).toEqual({ id, ...full });

    const renamed = await call(fake, 'PUT', `peers/${id}`, { name: 'p2' });
    expect(renamed.body.result).toEqual({ id, ...full, name: 'p2' });

    const cleared = await call(fake, 'PUT', `peers/${id}`, { name: 'p2', ip: '', port: 0, ixfr_enable: null, tsig_id: '' });
    expect(cleared.body.result).toEqual({ id, name: 'p2', ...FRESH_PEER });
    await call(fake, 'PUT', `peers/${id}`, full);
    expect((await call(fake, 'PUT', `peers/${id}`, { name: 'p1', tsig_id: null })).body.result).toEqual({ id, name: 'p1', ...FULL });
    expect(fake.objects('peers')).toEqual([{ id, name: 'p1', ...FULL }]);
    expectError(await call(fake, 'PUT', `peers/${id}`, { ip: '192.0.2.9' }), 400, 1001);
  });

  it('refuses an unknown peerPost or peerPut mode', async () => {
    await expect(startFakeCloudflare({ peerPost: 'everything' as never })).rejects.toThrow(
      /peerPost must be one of name-only, full-body/,
    );
    await expect(startFakeCloudflare({ peerPut: 'patch' as never })).rejects.toThrow(/peerPut must be one of replace, merge/);
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
      { tsig_id: 5 },
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

  it('seed fills unset fields and leaves an empty tsig_id out; objects returns copies', async () => {
    const fake = await start();
    const peer = fake.seed('peers', { name: 'p', ip: '192.0.2.1', tsig_id: '' });
    expect(peer).toEqual({ id: expect.stringMatching(ID), name: 'p', ...FRESH_PEER, ip: '192.0.2.1' });
    expect(fake.seed('tsigs', { id: 'fixed', ...TSIG }).id).toBe('fixed');
    const [copy] = fake.objects('peers');
    copy!.name = 'changed';
    expect(fake.objects('peers')[0]?.name).toBe('p');
    expect(() => fake.objects('zones' as never)).toThrow(/unknown collection zones/);
  });
});

describe('ACLs', () => {
  it('create and PUT need a name and a CIDR of at most /24 (IPv4) or /64 (IPv6)', async () => {
    const fake = await start();
    const created = await call(fake, 'POST', 'acls', { name: 'a', ip_range: '192.0.2.0/24' });
    expect(created.body.result).toMatchObject({ id: expect.stringMatching(ID), name: 'a', ip_range: '192.0.2.0/24' });
    const id: string = created.body.result.id;
    expect((await call(fake, 'PUT', `acls/${id}`, { name: 'b', ip_range: '2001:db8::/64' })).body.result).toMatchObject({
      id,
      name: 'b',
      ip_range: '2001:db8::/64',
    });
    for (const ip_range of ['10.0.0.0/8', '2001:db8::/48', '192.0.2.0', '192.0.2.0/33', 'x/24']) {
      expectError(await call(fake, 'POST', 'acls', { name: 'c', ip_range }), 400, 1001);
    }
    expect(fake.objects('acls')).toHaveLength(1);
  });

  it('carries created_time and modified_time; a PUT changes only modified_time', async () => {
    const fake = await start();
    const created = (await call(fake, 'POST', 'acls', { name: 'a', ip_range: '192.0.2.0/24' })).body.result;
    expect(Object.keys(created).sort()).toEqual(['created_time', 'id', 'ip_range', 'modified_time', 'name']);
    expect(created.created_time).toMatch(TIMESTAMP);
    expect(created.modified_time).toBe(created.created_time);
    const replaced = (await call(fake, 'PUT', `acls/${created.id}`, { name: 'a', ip_range: '192.0.2.1/32' })).body.result;
    expect(replaced.created_time).toBe(created.created_time);
    expect(replaced.modified_time).toMatch(TIMESTAMP);
    expect(replaced.modified_time > created.modified_time).toBe(true);
    expect((await call(fake, 'GET', 'acls')).body.result).toEqual([replaced]);
    expect(fake.seed('acls', { name: 's', ip_range: '198.51.100.0/24' }).created_time).toMatch(TIMESTAMP);
  });
});

describe('authentication and routing errors', () => {
  it('answers 403 / 10000 to a missing or wrong token and to legacy auth when not configured', async () => {
    const fake = await start({ zones: [{ name: 'example.com', id: ZONE_ID }] });
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer nope' }, { 'x-auth-email': 'a@b.c', 'x-auth-key': 'k' }];
    for (const headers of attempts) {
      const paths = [`/accounts/${fake.accountId}/secondary_dns/tsigs`, `/zones/${ZONE_ID}/secondary_dns/incoming`, '/zones'];
      for (const path of paths) {
        const answer = await api(fake, 'GET', path, undefined, headers);
        expectError(answer, 403, 10000);
        expect(answer.body.errors[0].message).toBe('Authentication error');
      }
    }
  });

  it('accepts legacy email + key auth when configured, and still the token', async () => {
    const fake = await start({ email: 'ops@example.com', apiKey: 'global-key' });
    const legacy = { 'x-auth-email': 'ops@example.com', 'x-auth-key': 'global-key' };
    expect((await call(fake, 'GET', 'tsigs', undefined, legacy)).status).toBe(200);
    expect((await call(fake, 'GET', 'tsigs')).status).toBe(200);
    expectError(await call(fake, 'GET', 'tsigs', undefined, { ...legacy, 'x-auth-key': 'wrong' }), 403, 10000);
  });

  it('answers 404 to an unknown account, zone, object or route, 405 to a wrong method, 400 to bad JSON', async () => {
    const fake = await start({ accountId: 'acc', zones: [{ name: 'example.com', id: ZONE_ID }] });
    const other = await fetch(`${fake.url}/accounts/other/secondary_dns/peers`, { headers: BEARER });
    expect(other.status).toBe(404);
    expect(((await other.json()) as Answer['body']).errors).toEqual([
      { code: 7003, message: 'Could not route to /accounts/other/secondary_dns/peers, perhaps your object identifier is invalid?' },
    ]);
    const unknownZone = await zoneCall(fake, 'f'.repeat(32), 'GET', 'incoming');
    expectError(unknownZone, 404, 7003);
    expect(unknownZone.body.errors[0].message).toBe(
      `Could not route to /zones/${'f'.repeat(32)}/secondary_dns/incoming, perhaps your object identifier is invalid?`,
    );
    expectError(await zoneCall(fake, 'f'.repeat(32), 'POST', 'outgoing/enable', {}), 404, 7003);
    expectError(await api(fake, 'GET', `/zones/${'f'.repeat(32)}`), 404, 7003);
    expectError(await call(fake, 'GET', `peers/${'a'.repeat(32)}`), 404, 1004);
    expectError(await call(fake, 'GET', 'zones'), 404, 7000);
    expectError(await zoneCall(fake, ZONE_ID, 'GET', 'outgoing/nope'), 404, 7000);
    expectError(await call(fake, 'DELETE', 'peers'), 405, 7001);
    expectError(await zoneCall(fake, ZONE_ID, 'GET', 'outgoing/enable'), 405, 7001);
    expectError(await zoneCall(fake, ZONE_ID, 'POST', 'outgoing/status'), 405, 7001);
    expectError(await api(fake, 'POST', '/zones', { name: 'x.example' }), 405, 7001);
    expectError(await call(fake, 'POST', 'peers', '{"name":'), 400, 1002);
    expectError(await call(fake, 'POST', 'peers', '["p"]'), 400, 1002);
    expectError(await zoneCall(fake, ZONE_ID, 'POST', 'incoming', 'null'), 400, 1002);
    expect(fake.objects('peers')).toEqual([]);
  });
});

describe('lists and paging of account objects', () => {
  it('a list answers every object with no result_info by default, whatever the query', async () => {
    const fake = await start();
    for (const name of ['a', 'b', 'c']) fake.seed('peers', { name });
    for (const query of ['', '?page=2&per_page=1']) {
      const list = await call(fake, 'GET', `peers${query}`);
      expect(list.body.result.map((p: { name: string }) => p.name)).toEqual(['a', 'b', 'c']);
      expect(Object.keys(list.body).sort()).toEqual(['errors', 'messages', 'result', 'success']);
    }
  });

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
    expect((await call(fake, 'GET', 'acls')).body.result_info).toEqual({ page: 1, per_page: 2, count: 0, total_count: 0, total_pages: 1 });
    expectError(await call(fake, 'GET', 'peers?page=0'), 400, 1001);
    expect(fake.requests.at(-3)?.query).toEqual({ per_page: '10' });
  });
});

describe('zones', () => {
  const zoneNames = (answer: Answer) => answer.body.result.map((z: { name: string }) => z.name);

  it('seeds zones from the option and seedZone, answered as {id, name, status, account}', async () => {
    const fake = await start({ accountId: 'acc', zones: [{ name: 'example.com', id: ZONE_ID }, { name: 'Example.NET.' }] });
    const added = fake.seedZone('third.example.', 'a'.repeat(32));
    const account = { id: 'acc', name: 'Fake account' };
    expect(added).toEqual({ id: 'a'.repeat(32), name: 'third.example', status: 'active', account });
    const zones = fake.zonesList();
    expect(zones.map((z) => z.name)).toEqual(['example.com', 'Example.NET', 'third.example']);
    expect(zones[0]?.id).toBe(ZONE_ID);
    expect(zones[1]?.id).toMatch(ID);
    expect(fake.seedZone('fourth.example').id).toMatch(ID);
    const one = await api(fake, 'GET', `/zones/${ZONE_ID}`);
    expect(one.body.result).toEqual({ id: ZONE_ID, name: 'example.com', status: 'active', account });
  });

  it('lists zones always paged: 20 per page by default, per_page from 5 to 50, result_info on every page', async () => {
    const zones = Array.from({ length: 23 }, (_, i) => ({ name: `z${String(i).padStart(2, '0')}.example` }));
    const fake = await start({ zones });
    const first = await api(fake, 'GET', `/zones?account.id=${fake.accountId}`);
    expect(first.body.result).toHaveLength(20);
    expect(first.body.result_info).toEqual({ page: 1, per_page: 20, count: 20, total_count: 23, total_pages: 2 });
    const second = await api(fake, 'GET', `/zones?account.id=${fake.accountId}&page=2`);
    expect(zoneNames(second)).toEqual(['z20.example', 'z21.example', 'z22.example']);
    expect(second.body.result_info).toEqual({ page: 2, per_page: 20, count: 3, total_count: 23, total_pages: 2 });
    const fifty = await api(fake, 'GET', '/zones?per_page=50');
    expect(fifty.body.result_info).toEqual({ page: 1, per_page: 50, count: 23, total_count: 23, total_pages: 1 });
    const five = await api(fake, 'GET', '/zones?per_page=5&page=5');
    expect(five.body.result_info).toEqual({ page: 5, per_page: 5, count: 3, total_count: 23, total_pages: 5 });
    for (const query of ['per_page=51', 'per_page=4', 'per_page=x', 'page=0']) {
      const refused = await api(fake, 'GET', `/zones?${query}`);
      expectError(refused, 400, 1001);
      expect(refused.body.errors[0].message).toMatch(/^(per_page: must be an integer from 5 to 50|page: must be a positive integer)$/);
    }
  });

  it('filters by name (exact, case-insensitive) and by account id', async () => {
    const fake = await start({ zones: [{ name: 'example.com' }, { name: 'sub.example.com' }, { name: 'Example.org' }] });
    expect(zoneNames(await api(fake, 'GET', `/zones?name=EXAMPLE.com&account.id=${fake.accountId}`))).toEqual(['example.com']);
    expect(zoneNames(await api(fake, 'GET', '/zones?name=example.org'))).toEqual(['Example.org']);
    const none = await api(fake, 'GET', '/zones?name=example.com.');
    expect(none.body.result).toEqual([]);
    expect(none.body.result_info).toEqual({ page: 1, per_page: 20, count: 0, total_count: 0, total_pages: 0 });
    expect((await api(fake, 'GET', `/zones?account.id=${'9'.repeat(32)}`)).body.result).toEqual([]);
    expect(zoneNames(await api(fake, 'GET', '/zones'))).toEqual(['example.com', 'sub.example.com', 'Example.org']);
  });
});

describe('incoming zone links', () => {
  async function setup(options?: Options) {
    const fake = await start({ zones: [{ name: 'example.com', id: ZONE_ID }], ...options });
    const p1 = fake.seed('peers', { name: 'ns1', ip: '192.0.2.1', port: 53 });
    const p2 = fake.seed('peers', { name: 'ns2', ip: '192.0.2.2', port: 53 });
    return { fake, p1: p1.id, p2: p2.id };
  }

  it('POST creates the link (auto_refresh_seconds 86400 when left out) with the recorded shape', async () => {
    const { fake, p1 } = await setup();
    expectError(await zoneCall(fake, ZONE_ID, 'GET', 'incoming'), 404, 1004);
    const created = await zoneCall(fake, ZONE_ID, 'POST', 'incoming', { name: 'example.com', peers: [p1] });
    expect(created.status).toBe(200);
    expect(created.body.result).toEqual({
      id: ZONE_ID,
      name: 'example.com.',
      peers: [p1],
      primaries: [p1],
      auto_refresh_seconds: 86400,
      checked_time: expect.stringMatching(TIMESTAMP),
      created_time: expect.stringMatching(TIMESTAMP),
      modified_time: expect.stringMatching(TIMESTAMP),
      soa_serial: 0,
    });
    expect((await zoneCall(fake, ZONE_ID, 'GET', 'incoming')).body.result).toEqual(created.body.result);
    expect(fake.links(ZONE_ID)).toEqual({ incoming: created.body.result, outgoing: null, outgoingEnabled: false });
  });

  it('PUT replaces peers and auto_refresh_seconds (left out: 86400), keeps created_time, changes modified_time', async () => {
    const { fake, p1, p2 } = await setup();
    const created = (await zoneCall(fake, ZONE_ID, 'POST', 'incoming', { name: 'EXAMPLE.COM.', peers: [p1], auto_refresh_seconds: 300 }))
      .body.result;
    expect(created).toMatchObject({ name: 'example.com.', auto_refresh_seconds: 300 });
    const replaced = (await zoneCall(fake, ZONE_ID, 'PUT', 'incoming', { name: 'example.com', peers: [p2, p1] })).body.result;
    expect(replaced).toMatchObject({ id: ZONE_ID, peers: [p2, p1], primaries: [p2, p1], auto_refresh_seconds: 86400 });
    expect(replaced.created_time).toBe(created.created_time);
    expect(replaced.modified_time > created.modified_time).toBe(true);
    expect(fake.links(ZONE_ID).incoming).toEqual(replaced);
  });

  it('checks name, peers (existing, distinct, at most 30) and auto_refresh_seconds (integer >= 300)', async () => {
    const { fake, p1 } = await setup();
    const many = Array.from({ length: 31 }, (_, i) => fake.seed('peers', { name: `bulk${i}` }).id);
    const cases: [Record<string, unknown>, string][] = [
      [{ peers: [p1, 'f'.repeat(32)] }, 'peers'],
      [{ peers: [p1, p1] }, 'peers'],
      [{ peers: many }, 'peers'],
      [{ peers: p1 }, 'peers'],
      [{ peers: undefined }, 'peers'],
      [{ auto_refresh_seconds: 299 }, 'auto_refresh_seconds'],
      [{ auto_refresh_seconds: 300.5 }, 'auto_refresh_seconds'],
      [{ name: 'other.example' }, 'name'],
      [{ name: undefined }, 'name'],
    ];
    for (const [fields, field] of cases) {
      const answer = await zoneCall(fake, ZONE_ID, 'POST', 'incoming', { name: 'example.com', peers: [p1], ...fields });
      expectError(answer, 400, 1001);
      expect(answer.body.errors).toHaveLength(1);
      expect(answer.body.errors[0].message).toMatch(new RegExp(`^${field}: `));
      expect(answer.body.errors[0].source).toEqual({ pointer: `/${field}` });
    }
    const unknown = await zoneCall(fake, ZONE_ID, 'POST', 'incoming', { name: 'example.com', peers: ['f'.repeat(32)] });
    expect(unknown.body.errors[0].message).toBe(`peers: ${'f'.repeat(32)} is not the id of a peer of this account`);
    expect(fake.links(ZONE_ID).incoming).toBeNull();
    expect((await zoneCall(fake, ZONE_ID, 'POST', 'incoming', { name: 'example.com', peers: many.slice(0, 30) })).status).toBe(200);
  });

  it('POST when the link exists: 400 1005; PUT, DELETE, force_axfr without one: 404 1004', async () => {
    const { fake, p1 } = await setup();
    expectError(await zoneCall(fake, ZONE_ID, 'PUT', 'incoming', { name: 'example.com', peers: [p1] }), 404, 1004);
    expectError(await zoneCall(fake, ZONE_ID, 'DELETE', 'incoming'), 404, 1004);
    const noLink = await zoneCall(fake, ZONE_ID, 'POST', 'force_axfr', {});
    expectError(noLink, 404, 1004);
    expect(noLink.body.errors[0].message).toBe('incoming link not found');
    await zoneCall(fake, ZONE_ID, 'POST', 'incoming', { name: 'example.com', peers: [p1] });
    const again = await zoneCall(fake, ZONE_ID, 'POST', 'incoming', { name: 'example.com', peers: [] });
    expectError(again, 400, 1005);
    expect(again.body.errors[0].message).toBe('incoming link already exists for zone example.com');
    expect(fake.links(ZONE_ID).incoming?.peers).toEqual([p1]);
    expect((await zoneCall(fake, ZONE_ID, 'POST', 'force_axfr', {})).body.result).toBe('OK');
    expect((await zoneCall(fake, ZONE_ID, 'DELETE', 'incoming')).body.result).toEqual({ id: ZONE_ID });
    expectError(await zoneCall(fake, ZONE_ID, 'GET', 'incoming'), 404, 1004);
    expect(fake.links(ZONE_ID).incoming).toBeNull();
  });
});

describe('outgoing zone links', () => {
  async function setup() {
    const fake = await start({ zones: [{ name: 'example.com', id: ZONE_ID }] });
    const peer = fake.seed('peers', { name: 'sec1', ip: '192.0.2.9', port: 53 });
    return { fake, peer: peer.id };
  }

  it('a new outgoing link has the recorded shape and starts disabled', async () => {
    const { fake, peer } = await setup();
    const created = await zoneCall(fake, ZONE_ID, 'POST', 'outgoing', { name: 'example.com', peers: [peer] });
    expect(created.body.result).toEqual({
      id: ZONE_ID,
      name: 'example.com.',
      peers: [peer],
      primaries: [peer],
      checked_time: expect.stringMatching(TIMESTAMP),
      created_time: expect.stringMatching(TIMESTAMP),
      last_transferred_time: expect.stringMatching(TIMESTAMP),
      soa_serial: 0,
    });
    expect((await zoneCall(fake, ZONE_ID, 'GET', 'outgoing/status')).body.result).toBe('Disabled');
    expect(fake.links(ZONE_ID)).toEqual({ incoming: null, outgoing: created.body.result, outgoingEnabled: false });
    const replaced = await zoneCall(fake, ZONE_ID, 'PUT', 'outgoing', { name: 'example.com', peers: [] });
    const { last_transferred_time } = created.body.result;
    expect(replaced.body.result).toMatchObject({ peers: [], primaries: [], last_transferred_time });
  });

  it('enable, disable, status and force_notify answer strings; deleting the link forgets the state', async () => {
    const { fake, peer } = await setup();
    expectError(await zoneCall(fake, ZONE_ID, 'GET', 'outgoing/status'), 404, 1004);
    expectError(await zoneCall(fake, ZONE_ID, 'POST', 'outgoing/enable', {}), 404, 1004);
    await zoneCall(fake, ZONE_ID, 'POST', 'outgoing', { name: 'example.com', peers: [peer] });
    const enabled = await zoneCall(fake, ZONE_ID, 'POST', 'outgoing/enable', {});
    expect(enabled.body).toEqual({ success: true, errors: [], messages: [], result: 'Enabled' });
    expect((await zoneCall(fake, ZONE_ID, 'GET', 'outgoing/status')).body.result).toBe('Enabled');
    expect(fake.links(ZONE_ID).outgoingEnabled).toBe(true);
    expect((await zoneCall(fake, ZONE_ID, 'POST', 'outgoing/enable')).body.result).toBe('Enabled');
    expect((await zoneCall(fake, ZONE_ID, 'POST', 'outgoing/force_notify', {})).body.result).toBe('OK');
    expect((await zoneCall(fake, ZONE_ID, 'POST', 'outgoing/disable', {})).body.result).toBe('Disabled');
    expect((await zoneCall(fake, ZONE_ID, 'GET', 'outgoing/status')).body.result).toBe('Disabled');
    await zoneCall(fake, ZONE_ID, 'POST', 'outgoing/enable', {});
    expect((await zoneCall(fake, ZONE_ID, 'DELETE', 'outgoing')).body.result).toEqual({ id: ZONE_ID });
    expect(fake.links(ZONE_ID)).toEqual({ incoming: null, outgoing: null, outgoingEnabled: false });
    await zoneCall(fake, ZONE_ID, 'POST', 'outgoing', { name: 'example.com', peers: [peer] });
    expect((await zoneCall(fake, ZONE_ID, 'GET', 'outgoing/status')).body.result).toBe('Disabled');
    expectError(await zoneCall(fake, ZONE_ID, 'POST', 'outgoing', { name: 'example.com', peers: [peer] }), 400, 1005);
  });

  it('seedLink creates links without validation; links returns copies', async () => {
    const { fake, peer } = await setup();
    const incoming = fake.seedLink(ZONE_ID, 'incoming', { peers: ['not-a-peer'] });
    expect(incoming).toMatchObject({
      id: ZONE_ID,
      name: 'example.com.',
      peers: ['not-a-peer'],
      primaries: ['not-a-peer'],
      auto_refresh_seconds: 86400,
      soa_serial: 0,
    });
    const outgoing = fake.seedLink(ZONE_ID, 'outgoing', { peers: [peer], enabled: true });
    expect(outgoing).not.toHaveProperty('auto_refresh_seconds');
    expect(outgoing.last_transferred_time).toMatch(TIMESTAMP);
    expect((await zoneCall(fake, ZONE_ID, 'GET', 'outgoing/status')).body.result).toBe('Enabled');
    const copy = fake.links(ZONE_ID);
    expect(copy).toEqual({ incoming, outgoing, outgoingEnabled: true });
    (copy.outgoing?.peers as string[]).push('x');
    expect(fake.links(ZONE_ID).outgoing?.peers).toEqual([peer]);
    expect(fake.seedLink(ZONE_ID, 'incoming', { peers: [peer], auto_refresh_seconds: 600 })).toMatchObject({
      created_time: incoming.created_time,
      auto_refresh_seconds: 600,
    });
    expect(() => fake.seedLink('f'.repeat(32), 'outgoing', { peers: [] })).toThrow(/no zone f+ in the fake account/);
  });
});

describe('deleting a peer that a zone link lists', () => {
  it('is refused with 400 1006 naming the zone, until no link lists it', async () => {
    const fake = await start({ zones: [{ name: 'example.com', id: ZONE_ID }, { name: 'other.example', id: 'b'.repeat(32) }] });
    const used = fake.seed('peers', { name: 'used' });
    const spare = fake.seed('peers', { name: 'spare' });
    await zoneCall(fake, ZONE_ID, 'POST', 'incoming', { name: 'example.com', peers: [used.id, spare.id] });
    await zoneCall(fake, 'b'.repeat(32), 'POST', 'outgoing', { name: 'other.example', peers: [used.id] });

    const refused = await call(fake, 'DELETE', `peers/${used.id}`);
    expectError(refused, 400, 1006);
    expect(refused.body.errors[0].message).toBe(`peer ${used.id} is in use by the incoming link of zone example.com. (${ZONE_ID})`);
    await zoneCall(fake, ZONE_ID, 'PUT', 'incoming', { name: 'example.com', peers: [spare.id] });
    const still = await call(fake, 'DELETE', `peers/${used.id}`);
    expectError(still, 400, 1006);
    expect(still.body.errors[0].message).toMatch(/outgoing link of zone other\.example\. /);
    await zoneCall(fake, 'b'.repeat(32), 'DELETE', 'outgoing');
    expect(fake.objects('peers').map((p) => p.name)).toEqual(['used', 'spare']);

    expect((await call(fake, 'DELETE', `peers/${used.id}`)).status).toBe(200);
    expectError(await call(fake, 'DELETE', `peers/${spare.id}`), 400, 1006);
    expect(fake.objects('peers').map((p) => p.name)).toEqual(['spare']);
  });

  it('a TSIG that a peer uses can still be deleted', async () => {
    const fake = await start();
    const tsig = fake.seed('tsigs', TSIG);
    fake.seed('peers', { name: 'p', tsig_id: tsig.id });
    expect((await call(fake, 'DELETE', `tsigs/${tsig.id}`)).status).toBe(200);
  });
});

describe('answers have the shape of the recorded live answers', () => {
  const dir = fileURLToPath(new URL('./recordings/', import.meta.url));

  /** Recreates what a recording shows through the API and returns the path of the recorded GET. */
  const CASES: Record<string, (fake: Fake, recorded: any) => Promise<string>> = {
    'tsigs-list.json': async (fake, recorded) => {
      for (const t of recorded.result) await call(fake, 'POST', 'tsigs', { ...t, name: t.name.replace(/\.$/, '') });
      return `/accounts/${fake.accountId}/secondary_dns/tsigs`;
    },
    'peers-list.json': async (fake, recorded) => {
      for (const p of recorded.result) {
        const { id } = (await call(fake, 'POST', 'peers', { name: p.name })).body.result;
        if (p.ip !== '') await call(fake, 'PUT', `peers/${id}`, { name: p.name, ip: p.ip, port: p.port, ixfr_enable: p.ixfr_enable });
      }
      return `/accounts/${fake.accountId}/secondary_dns/peers`;
    },
    'acls-list.json': async (fake, recorded) => {
      for (const a of recorded.result) await call(fake, 'POST', 'acls', { name: a.name, ip_range: a.ip_range });
      return `/accounts/${fake.accountId}/secondary_dns/acls`;
    },
    'zone-incoming-get.json': async (fake, { result }) => {
      fake.seedZone(result.name, result.id);
      for (const id of result.peers) fake.seed('peers', { id, name: 'primary' });
      const { name, peers, auto_refresh_seconds } = result;
      await zoneCall(fake, result.id, 'POST', 'incoming', { name, peers, auto_refresh_seconds });
      return `/zones/${result.id}/secondary_dns/incoming`;
    },
    'zone-outgoing-get.json': async (fake, { result }) => {
      fake.seedZone(result.name, result.id);
      for (const id of result.peers) fake.seed('peers', { id, name: 'secondary' });
      await zoneCall(fake, result.id, 'POST', 'outgoing', { name: result.name.replace(/\.$/, ''), peers: result.peers });
      return `/zones/${result.id}/secondary_dns/outgoing`;
    },
  };

  /** The JSON type of every value, recursively: what must match between recording and fake. */
  function shape(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(shape);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]));
    }
    return value === null ? 'null' : typeof value;
  }

  /** The recorded values that the fake must reproduce exactly (not ids or timestamps). */
  function values(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(values);
    if (value !== null && typeof value === 'object') {
      const kept = Object.entries(value).filter(([k]) => k !== 'id' && !k.endsWith('_time'));
      return Object.fromEntries(kept.map(([k, v]) => [k, values(v)]));
    }
    return value;
  }

  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('has a case for every recording', () => {
    expect(files.sort()).toEqual(Object.keys(CASES).sort());
  });

  it.each(Object.keys(CASES))('%s', async (file) => {
    const recorded = JSON.parse(readFileSync(`${dir}${file}`, 'utf8'));
    const fake = await start({ zones: [] });
    const path = await CASES[file]!(fake, recorded);
    const answer = await api(fake, 'GET', path);
    expect(answer.status).toBe(200);
    expect(shape(answer.body)).toEqual(shape(recorded));
    expect(values(answer.body)).toEqual(values(recorded));
    const times = JSON.stringify(answer.body).match(/"\w+_time":"[^"]*"/g) ?? [];
    for (const t of times) expect(t.split('":"')[1]?.slice(0, -1)).toMatch(TIMESTAMP);
  });
});

describe('zone routes share the request machinery', () => {
  it('are recorded, counted, budgeted and matched by fault rules', async () => {
    const fake = await start({ zones: [{ name: 'example.com', id: ZONE_ID }], budget: { limit: 3, windowMs: 60_000 } });
    const peer = fake.seed('peers', { name: 'p' });
    fake.injectFault({ kind: 'status', status: 503, path: /\/secondary_dns\/outgoing\/enable$/ });
    await zoneCall(fake, ZONE_ID, 'POST', 'outgoing', { name: 'example.com', peers: [peer.id] });
    expect((await zoneCall(fake, ZONE_ID, 'POST', 'outgoing/enable', {})).status).toBe(503);
    expect(fake.links(ZONE_ID).outgoingEnabled).toBe(false);
    const enabled = await zoneCall(fake, ZONE_ID, 'POST', 'outgoing/enable', {});
    expect(enabled.headers.get('ratelimit')).toBe('"default";r=1;t=60');
    await api(fake, 'GET', '/zones?name=example.com');
    expectError(await zoneCall(fake, ZONE_ID, 'GET', 'outgoing/status'), 429, 971);
    expect(fake.requests.map((r) => [r.method, r.path, r.status, r.fault])).toEqual([
      ['POST', `/client/v4/zones/${ZONE_ID}/secondary_dns/outgoing`, 200, undefined],
      ['POST', `/client/v4/zones/${ZONE_ID}/secondary_dns/outgoing/enable`, 503, 'status'],
      ['POST', `/client/v4/zones/${ZONE_ID}/secondary_dns/outgoing/enable`, 200, undefined],
      ['GET', '/client/v4/zones', 200, undefined],
      ['GET', `/client/v4/zones/${ZONE_ID}/secondary_dns/outgoing/status`, 429, undefined],
    ]);
    expect(fake.requests[3]?.query).toEqual({ name: 'example.com' });
    expect(fake.counts()).toEqual({ total: 5, byMethod: { GET: 2, POST: 3, PUT: 0, DELETE: 0 }, status429: 1 });
  });
});

describe('latency, in-flight tracking and the request record', () => {
  it('overlaps concurrent requests, each delayed by latencyMs', async () => {
    const fake = await start({ latencyMs: 150 });
    const answers = await Promise.all([1, 2, 3].map(() => call(fake, 'GET', 'tsigs')));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(fake.peakInFlight).toBe(3);
    expect(fake.inFlight).toBe(0);
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

  it('status: carries the errors a real user meets and any response headers', async () => {
    const fake = await start();
    const rules: Omit<FaultRule, 'kind'>[] = [
      { status: 403, errors: [{ code: 9109, message: 'Unauthorized to access requested resource' }] },
      { status: 403, errors: [{ code: 10000, message: 'Authentication error' }] },
      { status: 429, retryAfter: '600' },
      { status: 409, headers: { 'x-should-retry': 'true' } },
      { status: 301, headers: { location: 'https://example.net/elsewhere' } },
    ];
    for (const rule of rules) fake.injectFault({ kind: 'status', method: 'GET', ...rule });
    const answers = [];
    for (const _ of rules) answers.push(await call(fake, 'GET', 'peers'));
    expect(answers.map((a) => [a.status, a.body.errors[0].code])).toEqual([
      [403, 9109],
      [403, 10000],
      [429, 971],
      [409, 1000],
      [301, 1000],
    ]);
    expect(answers[0]?.body.errors[0].message).toBe('Unauthorized to access requested resource');
    expect(answers[2]?.headers.get('retry-after')).toBe('600');
    expect(answers[3]?.headers.get('x-should-retry')).toBe('true');
    expect(answers[3]?.body.errors[0].message).toBe('Conflict');
    expect(answers[4]?.headers.get('location')).toBe('https://example.net/elsewhere');
    expect(answers[4]?.headers.get('content-type')).toBe('application/json');
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

  it('hang: never answers, and close() ends the hanging request', async () => {
    const fake = await startFakeCloudflare();
    fake.injectFault({ kind: 'hang' });
    const pending = rawFetch(fake, 'GET', 'peers').then(
      () => 'answered',
      () => 'failed',
    );
    while (fake.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake.inFlight).toBe(1);
    await fake.close();
    expect(await pending).toBe('failed');
    expect(fake.inFlight).toBe(0);
    expect(fake.requests[0]).toMatchObject({ status: 0, fault: 'hang' });
  });
});

describe('cli.mjs', () => {
  it('starts the fake with the peer modes and zones given as flags, prints the URL, stops on SIGTERM', async () => {
    const cli = fileURLToPath(new URL('./cli.mjs', import.meta.url));
    const args = ['--token', 'T', '--account', 'acc', '--peer-post', 'full-body', '--peer-put', 'merge'];
    const child = spawn(process.execPath, [cli, ...args, '--zone', `example.com=${ZONE_ID}`, '--zone', 'other.example'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(child, 'exit');
    try {
      let out = '';
      for await (const chunk of child.stdout) {
        out += String(chunk);
        if (out.includes('\n')) break;
      }
      const url = out.split('\n')[0]!;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/client\/v4$/);
      const get = async (path: string, init: RequestInit = {}) => {
        const headers = { authorization: 'Bearer T', 'content-type': 'application/json' };
        return ((await (await fetch(`${url}${path}`, { ...init, headers })).json()) as Answer['body']).result;
      };
      expect((await get('/zones')).map((z: { id: string; name: string }) => z.name)).toEqual(['example.com', 'other.example']);
      expect((await get(`/zones/${ZONE_ID}`)).name).toBe('example.com');
      const peers = '/accounts/acc/secondary_dns/peers';
      const peer = await get(peers, { method: 'POST', body: JSON.stringify({ name: 'p', ip: '192.0.2.1', port: 53 }) });
      expect(peer).toMatchObject({ ip: '192.0.2.1', port: 53 });
      const merged = await get(`${peers}/${peer.id}`, { method: 'PUT', body: JSON.stringify({ name: 'q' }) });
      expect(merged).toMatchObject({ name: 'q', ip: '192.0.2.1', port: 53 });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toEqual([0, null]);
  });
});
