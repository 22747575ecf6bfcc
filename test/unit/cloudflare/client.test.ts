import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCloudflareClient, makeScrubber, operationName, type CloudflareClientOptions } from '../../../src/cloudflare/client.js';
import type { RetryOptions } from '../../../src/cloudflare/retry.js';
import { ApiError, CredentialsError } from '../../../src/errors.js';
import { USER_AGENT, VERSION } from '../../../src/version.js';
import {
  ACCOUNT,
  API_KEY,
  BASE_URL,
  TOKEN,
  TSIG_SECRET,
  captureLogs,
  expectNoSecret,
  recordingSleep,
  rejection,
} from './helpers.js';

const API = 'https://api.cloudflare.com';
const PEERS = `/accounts/${ACCOUNT}/secondary_dns/peers`;
const TSIGS = `/accounts/${ACCOUNT}/secondary_dns/tsigs`;
const ok = (result: unknown, extra: Record<string, unknown> = {}) => ({ success: true, errors: [], messages: [], result, ...extra });
const failure = (...errors: Array<{ code: number; message: string }>) => ({ success: false, errors, messages: [], result: null });

function client(overrides: Partial<CloudflareClientOptions> = {}, retry: RetryOptions = {}) {
  const { sleep, waits } = recordingSleep();
  const logs = captureLogs();
  const created = createCloudflareClient({
    baseUrl: BASE_URL,
    credentials: { kind: 'token', token: TOKEN },
    retry: { sleep, random: () => 0.5, ...retry },
    pacer: null,
    logger: logs.logger,
    ...overrides,
  });
  return { client: created, waits, logs };
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending, 'every mocked answer was asked for').toEqual([]);
});
afterAll(() => nock.enableNetConnect());

describe('operationName', () => {
  it('shortens the account path to the collection', () => {
    expect(operationName('POST', PEERS)).toBe('POST peers');
    expect(operationName('PUT', `${PEERS}/abc`)).toBe('PUT peers/abc');
    expect(operationName('GET', `${TSIGS}?page=2&per_page=20`)).toBe('GET tsigs');
    expect(operationName('GET', '/user/tokens/verify')).toBe('GET user/tokens/verify');
  });
});

describe('headers', () => {
  it('sends a Bearer token, the User-Agent with the version and Accept; Content-Type only with a body', async () => {
    expect(USER_AGENT).toContain(`dnsctl/${VERSION}`);
    nock(API, { badheaders: ['content-type', 'x-auth-key'] })
      .get(`/client/v4${PEERS}`)
      .matchHeader('authorization', `Bearer ${TOKEN}`)
      .matchHeader('user-agent', USER_AGENT)
      .matchHeader('accept', 'application/json')
      .reply(200, ok([]));
    nock(API)
      .post(`/client/v4${PEERS}`, { name: 'p1' })
      .matchHeader('content-type', 'application/json')
      .matchHeader('authorization', `Bearer ${TOKEN}`)
      .reply(200, ok({ id: '1', name: 'p1' }));

    const { client: c } = client();
    await c.request('GET', PEERS);
    await expect(c.request('POST', PEERS, { name: 'p1' })).resolves.toEqual({ result: { id: '1', name: 'p1' } });
  });

  it('sends the legacy email and key instead, without Authorization', async () => {
    nock(API, { badheaders: ['authorization'] })
      .get(`/client/v4${PEERS}`)
      .matchHeader('x-auth-email', 'ops@example.com')
      .matchHeader('x-auth-key', API_KEY)
      .reply(200, ok([]));
    const { client: c } = client({ credentials: { kind: 'key', email: 'ops@example.com', key: API_KEY } });
    await c.request('GET', PEERS);
  });

  it('refuses an http:// base URL to another machine before sending anything', () => {
    expect(() => client({ baseUrl: 'http://api.example.com/client/v4' })).toThrow(CredentialsError);
  });
});

describe('the envelope', () => {
  it('returns result and result_info', async () => {
    const info = { page: 1, per_page: 20, count: 1, total_count: 1, total_pages: 1 };
    nock(API).get(`/client/v4${PEERS}`).reply(200, ok([{ id: '1', name: 'a' }], { result_info: info }));
    await expect(client().client.request('GET', PEERS)).resolves.toEqual({
      result: [{ id: '1', name: 'a' }],
      resultInfo: info,
    });
  });

  it('turns success:false into an ApiError even with HTTP 200, quoting codes and messages', async () => {
    nock(API)
      .post(`/client/v4${TSIGS}`)
      .reply(200, failure({ code: 1001, message: 'Invalid algo' }, { code: 1002, message: 'Name taken' }));
    const err = (await rejection(() =>
      client().client.request('POST', TSIGS, { name: 't.', algo: 'x', secret: TSIG_SECRET }),
    )) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(200);
    expect(err.operation).toBe('POST tsigs');
    expect(err.errors).toEqual([
      { code: 1001, message: 'Invalid algo' },
      { code: 1002, message: 'Name taken' },
    ]);
    expect(err.message).toBe('POST tsigs: HTTP 200: [1001] Invalid algo; [1002] Name taken');
  });

  it('never repeats the request body, and scrubs a secret the server echoes back', async () => {
    nock(API)
      .post(`/client/v4${TSIGS}`)
      .reply(400, failure({ code: 1003, message: `secret ${TSIG_SECRET} is not base64; token ${TOKEN}` }));
    const err = (await rejection(() =>
      client().client.request('POST', TSIGS, { name: 't.', algo: 'hmac-sha512.', secret: TSIG_SECRET }),
    )) as ApiError;
    expect(err.message).toBe('POST tsigs: HTTP 400: [1003] secret (redacted) is not base64; token (redacted)');
    expect(err.message).not.toContain('hmac-sha512.');
  });

  it('says which permission the token needs on 401/403', async () => {
    nock(API).get(`/client/v4${PEERS}`).reply(403, failure({ code: 10000, message: 'Authentication error' }));
    const err = (await rejection(() => client().client.request('GET', PEERS))) as ApiError;
    expect(err.status).toBe(403);
    expect(err.message).toContain('[10000] Authentication error');
    expect(err.message).toContain('"Account Settings Write" permission');
  });

  it('says the account id may be wrong on a 404 of a collection', async () => {
    nock(API).get(`/client/v4${PEERS}`).reply(404, failure({ code: 7003, message: 'Could not route' }));
    const err = await rejection(() => client().client.request('GET', PEERS));
    expect(err.message).toBe(`GET peers: HTTP 404: [7003] Could not route — the account id ${ACCOUNT} may be wrong`);
  });

  it('explains an HTML error page with a short quote of it', async () => {
    const page = `<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>${'x'.repeat(5000)}</body></html>`;
    nock(API).get(`/client/v4${PEERS}`).reply(502, page, { 'content-type': 'text/html' });
    const err = (await rejection(() => client({}, { maxRetries: 0 }).client.request('GET', PEERS))) as ApiError;
    expect(err.status).toBe(502);
    expect(err.message).toBe('GET peers: HTTP 502: an HTML page instead of JSON (an error page from a proxy or the edge?): "502 Bad Gateway"');
  });

  it('quotes at most 200 characters of a non-JSON answer', async () => {
    nock(API).get(`/client/v4${PEERS}`).reply(200, `upstream said: ${'y'.repeat(1000)}`);
    const err = await rejection(() => client({}, { maxRetries: 0 }).client.request('GET', PEERS));
    const quote = /"(.*)"$/.exec(err.message)?.[1] ?? '';
    expect(err.message).toContain('an answer that is not valid JSON');
    expect(quote).toHaveLength(200);
    expect(quote.startsWith('upstream said: yyy')).toBe(true);
  });

  it('reports a cut-short JSON body, an empty answer and a non-envelope', async () => {
    nock(API).get(`/client/v4${PEERS}`).reply(200, '{"success":true,"result":[{"id":"1","secret":"tsig_SECRET_caffee0ddba11"');
    nock(API).get(`/client/v4${TSIGS}`).reply(200, '');
    nock(API).get(`/client/v4${PEERS}/x`).reply(200, { id: 'x' });
    const c = client({}, { maxRetries: 0 }).client;
    const cut = await rejection(() => c.request('GET', PEERS));
    // Never quoted: a list of TSIGs cut short would show secrets (rejection() checks none leaked).
    expect(cut.message).toBe('GET peers: HTTP 200: a JSON answer that is cut short or malformed (72 bytes)');
    expect((await rejection(() => c.request('GET', TSIGS))).message).toBe('GET tsigs: HTTP 200: empty answer');
    expect((await rejection(() => c.request('GET', `${PEERS}/x`))).message).toContain('not a Cloudflare API envelope');
  });

  it('retries a GET whose answer was unreadable', async () => {
    nock(API).get(`/client/v4${PEERS}`).reply(200, '{"success":tr').get(`/client/v4${PEERS}`).reply(200, { success: true, errors: [], messages: [], result: [] });
    expect((await client().client.request('GET', PEERS)).result).toEqual([]);
  });

  it('refuses a success without a result', async () => {
    nock(API).get(`/client/v4${PEERS}`).reply(200, { success: true, errors: [], messages: [] });
    const err = await rejection(() => client({}, { maxRetries: 0 }).client.request('GET', PEERS));
    expect(err.message).toBe('GET peers: HTTP 200: the answer reports success but has no "result"');
  });
});

describe('listAll', () => {
  const peer = (n: number) => ({ id: `id${n}`, name: `peer-${n}` });

  it('follows result_info through three pages', async () => {
    const info = (page: number, count: number) => ({ page, per_page: 2, count, total_count: 5, total_pages: 3 });
    nock(API)
      .get(`/client/v4${PEERS}`)
      .reply(200, ok([peer(1), peer(2)], { result_info: info(1, 2) }))
      .get(`/client/v4${PEERS}`)
      .query({ page: '2', per_page: '2' })
      .reply(200, ok([peer(3), peer(4)], { result_info: info(2, 2) }))
      .get(`/client/v4${PEERS}`)
      .query({ page: '3', per_page: '2' })
      .reply(200, ok([peer(5)], { result_info: info(3, 1) }));
    expect(await client().client.listAll(PEERS)).toEqual([1, 2, 3, 4, 5].map(peer));
  });

  it('costs exactly one request for a single page', async () => {
    let requests = 0;
    nock(API)
      .get(`/client/v4${PEERS}`)
      .times(2)
      .reply(() => {
        requests++;
        return [200, ok([peer(1)], { result_info: { page: 1, per_page: 20, count: 1, total_count: 1, total_pages: 1 } })];
      });
    expect(await client().client.listAll(PEERS)).toEqual([peer(1)]);
    expect(requests).toBe(1);
    nock.cleanAll(); // the second reply was only there to catch an extra request
  });

  it('costs exactly one request when there is no result_info at all', async () => {
    nock(API).get(`/client/v4${PEERS}`).reply(200, ok([peer(1)]));
    expect(await client().client.listAll(PEERS)).toEqual([peer(1)]);
  });

  it('follows total_count when total_pages is missing', async () => {
    const info = (page: number) => ({ result_info: { page, per_page: 1, count: 1, total_count: 2 } });
    nock(API)
      .get(`/client/v4${PEERS}`)
      .reply(200, ok([peer(1)], info(1)))
      .get(`/client/v4${PEERS}`)
      .query({ page: '2', per_page: '1' })
      .reply(200, ok([peer(2)], info(2)));
    expect(await client().client.listAll(PEERS)).toEqual([peer(1), peer(2)]);
  });

  /** Page answers: ids on each page, and the total_count each page claims. */
  function pages(...answers: Array<{ ids: number[]; total: number }>) {
    const scope = nock(API);
    answers.forEach(({ ids, total }, index) => {
      const page = index % 2 === 0 ? 1 : 2;
      const interceptor = page === 1 ? scope.get(`/client/v4${PEERS}`) : scope.get(`/client/v4${PEERS}`).query({ page: '2', per_page: '2' });
      interceptor.reply(200, ok(ids.map(peer), { result_info: { page, per_page: 2, count: ids.length, total_count: total, total_pages: 2 } }));
    });
  }

  it('reads a paged list again when an object was deleted between pages (one hidden, count short)', async () => {
    // Read 1: peer-2 deleted after page 1, so peer-3 slid onto page 1 unseen; read 2 is stable.
    pages({ ids: [1, 2], total: 4 }, { ids: [4], total: 3 }, { ids: [1, 3], total: 3 }, { ids: [4], total: 3 });
    const { client: c, logs } = client();
    expect(await c.listAll(PEERS)).toEqual([1, 3, 4].map(peer));
    expect(logs.lines()).toContainEqual(
      expect.objectContaining({ level: 40, msg: 'GET peers: the list changed while it was read page by page (total_count went from 4 to 3); reading it again' }),
    );
  });

  it('reads it again when an object comes on two pages (one was created in front of it)', async () => {
    pages({ ids: [1, 2], total: 3 }, { ids: [2, 3], total: 3 }, { ids: [1, 2], total: 4 }, { ids: [3, 4], total: 4 });
    expect(await client().client.listAll(PEERS)).toEqual([1, 2, 3, 4].map(peer));
  });

  it('fails before planning when the list keeps changing through three reads', async () => {
    pages({ ids: [1, 2], total: 4 }, { ids: [3], total: 4 }, { ids: [1, 2], total: 4 }, { ids: [3], total: 4 }, { ids: [1, 2], total: 4 }, { ids: [3], total: 4 });
    const err = await rejection(() => client().client.listAll(PEERS));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe(
      'GET peers: the list changed while it was read page by page (read 3 objects, total_count says 4), 3 times in a row; run again when nothing else is changing the account',
    );
  });

  it('refuses to loop when the server ignores the page parameter', async () => {
    const first = ok([peer(1)], { result_info: { page: 1, per_page: 1, count: 1, total_pages: 50 } });
    nock(API).get(`/client/v4${PEERS}`).reply(200, first).get(`/client/v4${PEERS}`).query(true).reply(200, first);
    const err = await rejection(() => client().client.listAll(PEERS));
    expect(err.message).toBe('GET peers: asked for page 2, got page 1');
  });

  it('refuses a result that is not a list', async () => {
    nock(API).get(`/client/v4${PEERS}`).reply(200, ok({ id: '1' }));
    expect((await rejection(() => client().client.listAll(PEERS))).message).toBe(
      'GET peers: expected a list in "result", got object',
    );
  });
});

describe('retries over HTTP', () => {
  it('honours retry-after in seconds on a 429', async () => {
    nock(API)
      .get(`/client/v4${PEERS}`)
      .reply(429, failure({ code: 971, message: 'Please wait' }), { 'retry-after': '7' })
      .get(`/client/v4${PEERS}`)
      .reply(200, ok([]));
    const { client: c, waits, logs } = client();
    await c.request('GET', PEERS);
    expect(waits).toEqual([7000]);
    expect(logs.lines()).toContainEqual(
      expect.objectContaining({ level: 40, operation: 'GET peers', attempt: 1, waitMs: 7000 }),
    );
  });

  it('honours retry-after as an HTTP date on a 429', async () => {
    // A fake clock (Date only) on a whole second: the wait is exactly the 10 s the date says.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2026-03-01T12:00:00.000Z'));
      nock(API)
        .get(`/client/v4${PEERS}`)
        .reply(429, failure({ code: 971, message: 'Please wait' }), { 'retry-after': 'Sun, 01 Mar 2026 12:00:10 GMT' })
        .get(`/client/v4${PEERS}`)
        .reply(200, ok([]));
      const { client: c, waits } = client();
      await c.request('GET', PEERS);
      expect(waits).toEqual([10_000]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('retries a 500 and returns the later success', async () => {
    nock(API)
      .get(`/client/v4${PEERS}`)
      .reply(500, failure({ code: 1000, message: 'Internal' }))
      .get(`/client/v4${PEERS}`)
      .reply(200, ok([{ id: '1', name: 'a' }]));
    const { client: c, waits } = client();
    expect((await c.request('GET', PEERS)).result).toEqual([{ id: '1', name: 'a' }]);
    expect(waits).toEqual([250]);
  });

  it('does not retry a 400', async () => {
    nock(API).put(`/client/v4${PEERS}/1`).reply(400, failure({ code: 1004, message: 'bad port' }));
    const { client: c, waits } = client();
    const err = (await rejection(() => c.request('PUT', `${PEERS}/1`, { name: 'a', port: 99999 }))) as ApiError;
    expect(err.status).toBe(400);
    expect(waits).toEqual([]);
  });

  it('gives up after maxRetries + 1 attempts', async () => {
    nock(API).get(`/client/v4${PEERS}`).times(3).reply(503, failure({ code: 1000, message: 'Unavailable' }));
    const { client: c, waits } = client({}, { maxRetries: 2 });
    const err = (await rejection(() => c.request('GET', PEERS))) as ApiError;
    expect(err.status).toBe(503);
    expect(waits).toEqual([250, 500]);
  });

  it('does not resend a POST answered with a 5xx', async () => {
    nock(API).post(`/client/v4${PEERS}`).reply(502, failure({ code: 1000, message: 'Bad gateway' }));
    const { client: c, waits } = client();
    const err = (await rejection(() => c.request('POST', PEERS, { name: 'p' }))) as ApiError;
    expect(err.status).toBe(502);
    expect(waits).toEqual([]);
  });

  it('takes a pacer token per attempt and tells the pacer of a 429 and of the Ratelimit header', async () => {
    const seen = { takes: 0, rateLimited: [] as number[], ratelimit: [] as Array<string | null> };
    const pacer = {
      take: async () => {
        seen.takes++;
      },
      onRateLimited: (ms: number) => seen.rateLimited.push(ms),
      observe: (headers: Headers) => seen.ratelimit.push(headers.get('ratelimit')),
    };
    nock(API)
      .get(`/client/v4${PEERS}`)
      .reply(429, failure({ code: 971, message: 'Please wait' }), { 'retry-after': '2', ratelimit: '"default";r=0;t=2' })
      .get(`/client/v4${PEERS}`)
      .reply(200, ok([]), { ratelimit: '"default";r=1199;t=300' });
    await client({ pacer }).client.request('GET', PEERS);
    expect(seen).toEqual({ takes: 2, rateLimited: [2000], ratelimit: ['"default";r=0;t=2', '"default";r=1199;t=300'] });
  });

  it('never logs a token, a secret or a body', async () => {
    nock(API)
      .post(`/client/v4${TSIGS}`)
      .reply(429, failure({ code: 971, message: 'Please wait' }), { 'retry-after': '1' })
      .post(`/client/v4${TSIGS}`)
      .reply(200, ok({ id: 't1', name: 't.', algo: 'hmac-sha512.', secret: TSIG_SECRET }));
    const { client: c, logs } = client();
    await c.request('POST', TSIGS, { name: 't.', algo: 'hmac-sha512.', secret: TSIG_SECRET });
    expect(logs.lines().length).toBeGreaterThan(0);
    expectNoSecret(logs.text());
  });
});

describe('keeping secrets out of messages', () => {
  const ACCOUNT_SECRET = 'acct_tsig_9d8c7b6a5f4e3d2c'; // no "secret" in it: a quote is scrubbed, not refused

  it('scrubs credential and body values only from 8 characters on (a short one would garble the message)', async () => {
    nock(API).post(`/client/v4${TSIGS}`).reply(400, failure({ code: 1003, message: 'Tsig name invalid' }));
    const { client: c } = client({ credentials: { kind: 'token', token: 'T' }, redact: ['tsigs'] });
    const err = await rejection(() => c.request('POST', TSIGS, { name: 't.', algo: 'hmac-sha512.', secret: 'tsig' }));
    expect(err.message).toBe('POST tsigs: HTTP 400: [1003] Tsig name invalid');
  });

  it('scrubs a longer value before a shorter one it contains', async () => {
    const longer = `${ACCOUNT_SECRET}_and_more`;
    nock(API).get(`/client/v4${PEERS}`).reply(400, failure({ code: 1003, message: `bad ${longer}` }));
    const { client: c } = client({ redact: [ACCOUNT_SECRET, longer] });
    expect((await rejection(() => c.request('GET', PEERS))).message).toBe('GET peers: HTTP 400: [1003] bad (redacted)');
  });

  it('never quotes an HTML page beyond its <title>', async () => {
    const page = `<html><body><pre>{"result":[{"id":"1","secret":"${TSIG_SECRET}"}]}</pre></body></html>`;
    nock(API).get(`/client/v4${PEERS}`).reply(502, page, { 'content-type': 'text/html' });
    const err = await rejection(() => client({}, { maxRetries: 0 }).client.request('GET', PEERS));
    expect(err.message).toBe(
      `GET peers: HTTP 502: an HTML page instead of JSON (an error page from a proxy or the edge?) (${page.length} bytes, not quoted)`,
    );
  });

  it('never quotes a non-JSON answer that holds a "{" or the word secret', async () => {
    const bodies = [
      `)]}'\n{"success":true,"result":[{"id":"1","secret":"${TSIG_SECRET}"}]}`,
      `upstream said: Secret ${TSIG_SECRET} rejected`,
      `key: ${TSIG_SECRET} "secret"`,
    ];
    for (const body of bodies) nock(API).get(`/client/v4${PEERS}`).reply(200, body);
    const c = client({}, { maxRetries: 0 }).client;
    for (const body of bodies) {
      const err = await rejection(() => c.request('GET', PEERS));
      expect(err.message).toBe(`GET peers: HTTP 200: an answer that is not valid JSON (${Buffer.byteLength(body)} bytes, not quoted)`);
    }
  });

  it('scrubs the values given in `redact` from every answer, GETs included', async () => {
    nock(API)
      .get(`/client/v4${TSIGS}`)
      .reply(200, failure({ code: 1000, message: `tsig ${ACCOUNT_SECRET} is stale` }))
      .get(`/client/v4${PEERS}`)
      .reply(503, `upstream said: ${ACCOUNT_SECRET}`);
    const c = client({ redact: [ACCOUNT_SECRET] }, { maxRetries: 0 }).client;
    const failed = (await rejection(() => c.request('GET', TSIGS))) as ApiError;
    expect(failed.message).toBe('GET tsigs: HTTP 200: [1000] tsig (redacted) is stale');
    expect(failed.errors).toEqual([{ code: 1000, message: 'tsig (redacted) is stale' }]);
    const quoted = await rejection(() => c.request('GET', PEERS));
    expect(quoted.message).toBe('GET peers: HTTP 503: an answer that is not valid JSON: "upstream said: (redacted)"');
    expect(JSON.stringify(failed) + JSON.stringify(quoted)).not.toContain(ACCOUNT_SECRET);
  });
});

describe('errors a real user meets (issue 8, item 7)', () => {
  const verify = (status: number, body: Record<string, unknown>) => nock(API).get('/client/v4/user/tokens/verify').reply(status, body);
  const accountVerify = (status: number, body: Record<string, unknown>) => nock(API).get(`/client/v4/accounts/${ACCOUNT}/tokens/verify`).reply(status, body);

  it('9109: the account id is wrong or the token cannot see it, without asking anything more', async () => {
    nock(API).get(`/client/v4${PEERS}`).reply(403, failure({ code: 9109, message: 'Unauthorized to access requested resource' }));
    const err = await rejection(() => client().client.request('GET', PEERS));
    expect(err.message).toBe(
      `GET peers: HTTP 403: [9109] Unauthorized to access requested resource — the token cannot access account ${ACCOUNT}: ` +
        `the account id is wrong (check account_id / CLOUDFLARE_ACCOUNT_ID), or the token's "Account Resources" do not include it`,
    );
  });

  it('9109 from the token\'s IP filter says so', async () => {
    nock(API).get(`/client/v4${PEERS}`).reply(403, failure({ code: 9109, message: 'Cannot use the access token from location: 192.0.2.7' }));
    const err = await rejection(() => client().client.request('GET', PEERS));
    expect(err.message).toContain('the API token is limited to other client IP addresses');
  });

  it('10000 with a token Cloudflare does not accept: invalid, expired or revoked', async () => {
    nock(API).get(`/client/v4${PEERS}`).reply(403, failure({ code: 10000, message: 'Authentication error' }));
    verify(401, failure({ code: 1000, message: 'Invalid API Token' }));
    accountVerify(401, failure({ code: 1000, message: 'Invalid API Token' }));
    const err = (await rejection(() => client().client.request('GET', PEERS))) as ApiError;
    expect(err.status).toBe(403);
    expect(err.message).toBe(
      'GET peers: HTTP 403: [10000] Authentication error — the API token is invalid, expired or revoked: check CLOUDFLARE_API_TOKEN, ' +
        'or create a token with the "Account Settings Write" permission',
    );
  });

  it('10000 with a valid token: the token lacks the permission (asked once per client)', async () => {
    nock(API).get(`/client/v4${PEERS}`).reply(403, failure({ code: 10000, message: 'Authentication error' }));
    nock(API).get(`/client/v4${TSIGS}`).reply(403, failure({ code: 10000, message: 'Authentication error' }));
    verify(200, ok({ id: 'tok', status: 'active' }));
    const c = client().client;
    const [peers, tsigs] = await Promise.all([rejection(() => c.request('GET', PEERS)), rejection(() => c.request('GET', TSIGS))]);
    const expected = ` — the API token is valid but lacks the permission on account ${ACCOUNT}: give it "Account Settings Write" ("Account Settings Read" is enough for plan)`;
    expect(peers.message).toBe(`GET peers: HTTP 403: [10000] Authentication error${expected}`);
    expect(tsigs.message).toBe(`GET tsigs: HTTP 403: [10000] Authentication error${expected}`);
  });

  it('10000 with an account-owned token, which only the account verify endpoint knows', async () => {
    nock(API).get(`/client/v4${PEERS}`).reply(403, failure({ code: 10000, message: 'Authentication error' }));
    verify(401, failure({ code: 1000, message: 'Invalid API Token' }));
    accountVerify(200, ok({ id: 'tok', status: 'active' }));
    expect((await rejection(() => client().client.request('GET', PEERS))).message).toContain('the API token is valid but lacks the permission');
  });

  it('10000 when the token check cannot tell: the permission the token needs', async () => {
    nock(API).get(`/client/v4${PEERS}`).reply(403, failure({ code: 10000, message: 'Authentication error' }));
    verify(404, failure({ code: 7000, message: 'No route for that URI' }));
    accountVerify(404, failure({ code: 7000, message: 'No route for that URI' }));
    expect((await rejection(() => client().client.request('GET', PEERS))).message).toBe(
      'GET peers: HTTP 403: [10000] Authentication error — the API token needs the "Account Settings Write" permission on this account ("Account Settings Read" to list)',
    );
  });

  it('10000 with the legacy key names the email and key, without a token check', async () => {
    nock(API).get(`/client/v4${PEERS}`).reply(403, failure({ code: 10000, message: 'Authentication error' }));
    const c = client({ credentials: { kind: 'key', email: 'ops@example.com', key: API_KEY } }).client;
    expect((await rejection(() => c.request('GET', PEERS))).message).toContain('Cloudflare refused CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY');
  });

  it('6003 "Invalid request headers": the token variable holds more than the token', async () => {
    nock(API).get(`/client/v4${PEERS}`).reply(400, failure({ code: 6003, message: 'Invalid request headers' }));
    expect((await rejection(() => client().client.request('GET', PEERS))).message).toBe(
      'GET peers: HTTP 400: [6003] Invalid request headers — Cloudflare cannot read the Authorization header: CLOUDFLARE_API_TOKEN must hold the token alone (no "Bearer ", no quotes)',
    );
  });

  it('1000 "Invalid API Token": invalid, expired or revoked', async () => {
    nock(API).get(`/client/v4${PEERS}`).reply(401, failure({ code: 1000, message: 'Invalid API Token' }));
    expect((await rejection(() => client().client.request('GET', PEERS))).message).toContain('the API token is invalid, expired or revoked');
  });

  it('an account without Secondary DNS: an Enterprise feature the account team enables', async () => {
    nock(API).get(`/client/v4${PEERS}`).reply(403, failure({ code: 1001, message: 'Your account is not entitled to use Secondary DNS' }));
    const err = await rejection(() => client().client.request('GET', PEERS));
    expect(err.message).toBe(
      `GET peers: HTTP 403: [1001] Your account is not entitled to use Secondary DNS — Secondary DNS is not enabled on account ${ACCOUNT}: ` +
        'it is an Enterprise feature that your Cloudflare account team enables; ask them to turn it on',
    );
  });

  it('"not enabled" on a 400 is not taken for a missing Secondary DNS; on a 403 it is', async () => {
    nock(API).put(`/client/v4${PEERS}/p1`).reply(400, failure({ code: 1001, message: 'ixfr is not enabled for this peer' }));
    nock(API).get(`/client/v4${PEERS}`).reply(403, failure({ code: 1001, message: 'Secondary DNS is not enabled for this account' }));
    const c = client().client;
    expect((await rejection(() => c.request('PUT', `${PEERS}/p1`, { name: 'p' }))).message).toBe('PUT peers/p1: HTTP 400: [1001] ixfr is not enabled for this peer');
    expect((await rejection(() => c.request('GET', PEERS))).message).toContain('Secondary DNS is not enabled on account');
  });

  it('a 429 asking for a longer wait than dnsctl accepts: "rate limited, retry after N s", at once', async () => {
    nock(API).get(`/client/v4${PEERS}`).reply(429, failure({ code: 971, message: 'Please wait and consider throttling your request speed' }), { 'retry-after': '3600' });
    const { client: c, waits } = client();
    const err = (await rejection(() => c.request('GET', PEERS))) as ApiError;
    expect(err.status).toBe(429);
    expect(err.message).toBe('GET peers: rate limited by Cloudflare (HTTP 429), retry after 3600 s, more than dnsctl waits (310 s in all); run again later');
    expect(waits).toEqual([]);
  });

  it('a 429 that outlasts the retries says so too', async () => {
    nock(API).get(`/client/v4${PEERS}`).times(2).reply(429, failure({ code: 971, message: 'Please wait' }), { 'retry-after': '2' });
    const { client: c, waits } = client({}, { maxRetries: 1 });
    const err = await rejection(() => c.request('GET', PEERS));
    expect(err.message).toBe('GET peers: rate limited by Cloudflare (HTTP 429), retry after 2 s, and the retries are used up (--max-retries); run again later');
    expect(waits).toEqual([2000]);
  });

  it('retries a 409 (a lock timeout), a POST too: it did not act', async () => {
    nock(API)
      .post(`/client/v4${PEERS}`)
      .reply(409, failure({ code: 1000, message: 'lock timeout' }))
      .post(`/client/v4${PEERS}`)
      .reply(200, ok({ id: '1', name: 'p' }));
    const { client: c, waits } = client();
    expect((await c.request('POST', PEERS, { name: 'p' })).result).toEqual({ id: '1', name: 'p' });
    expect(waits).toHaveLength(1);
  });

  it('obeys x-should-retry: true on a 4xx, and x-should-retry: false even on a 503 or a 429', async () => {
    nock(API)
      .get(`/client/v4${PEERS}`)
      .reply(400, failure({ code: 1000, message: 'try again' }), { 'x-should-retry': 'true' })
      .get(`/client/v4${PEERS}`)
      .reply(200, ok([]));
    nock(API).get(`/client/v4${TSIGS}`).reply(503, failure({ code: 1000, message: 'down' }), { 'x-should-retry': 'false' });
    nock(API).get(`/client/v4${PEERS}/x`).reply(429, failure({ code: 971, message: 'wait' }), { 'x-should-retry': 'false' });
    const { client: c, waits } = client();
    expect((await c.request('GET', PEERS)).result).toEqual([]);
    expect(waits).toHaveLength(1);
    expect(((await rejection(() => c.request('GET', TSIGS))) as ApiError).status).toBe(503);
    expect(((await rejection(() => c.request('GET', `${PEERS}/x`))) as ApiError).status).toBe(429);
    expect(waits).toHaveLength(1);
  });

  it('x-should-retry: true never resends a POST whose outcome is unknown (a 5xx)', async () => {
    nock(API).post(`/client/v4${PEERS}`).reply(502, failure({ code: 1000, message: 'Bad gateway' }), { 'x-should-retry': 'true' });
    const { client: c, waits } = client();
    expect(((await rejection(() => c.request('POST', PEERS, { name: 'p' }))) as ApiError).status).toBe(502);
    expect(waits).toEqual([]);
  });

  it('a 3xx names its Location (without user info or query) and is never followed', async () => {
    nock(API).get(`/client/v4${PEERS}`).reply(301, '', { location: 'https://user:pw@elsewhere.example/client/v4/peers?token=abc' });
    const { client: c, waits } = client();
    const err = (await rejection(() => c.request('GET', PEERS))) as ApiError;
    expect(err.status).toBe(301);
    expect(err.message).toBe(
      'GET peers: HTTP 301: a redirect to https://elsewhere.example/client/v4/peers, which dnsctl does not follow ' +
        '(the credentials stay with https://api.cloudflare.com); check --api-url / CLOUDFLARE_BASE_URL',
    );
    expect(waits).toEqual([]);
  });
});

describe('makeScrubber', () => {
  it('scrubs the client-wide values and a request\'s sensitive fields, longest first across both', () => {
    const { scrub, forBody } = makeScrubber(['AAAAAAAAAA', 'short', 'BBBBBBBBBBBBBBBBBBBB']);
    expect(scrub('x AAAAAAAAAA y BBBBBBBBBBBBBBBBBBBB short')).toBe('x (redacted) y (redacted) short');
    expect(forBody({ name: 'AAAAAAAAAA-name', secret: 'AAAAAAAAAA-secret' })('AAAAAAAAAA-secret and AAAAAAAAAA-name')).toBe(
      '(redacted) and (redacted)-name',
    );
    expect(forBody({ name: 'n' })).toBe(scrub);
    expect(forBody({ secret: 'BBBBBBBBBBBBBBBBBBBB' })).toBe(scrub);
  });
});
