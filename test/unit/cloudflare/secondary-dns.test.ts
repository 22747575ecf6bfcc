/**
 * createSecondaryDnsApi over a scripted in-memory Transport: the real client, envelope and retry
 * code run, without HTTP. This is also the seam other tests use to run dnsctl without a network.
 */
import { describe, expect, it } from 'vitest';
import { createCloudflareClient, type CloudflareClientOptions } from '../../../src/cloudflare/client.js';
import { createSecondaryDnsApi } from '../../../src/cloudflare/secondary-dns.js';
import type { Transport, TransportRequest, TransportResponse } from '../../../src/cloudflare/transport.js';
import { AmbiguousObjectError, ApiError, NetworkError, NotSentError } from '../../../src/errors.js';
import {
  ACCOUNT,
  BASE_URL,
  TOKEN,
  TSIG_SECRET,
  captureLogs,
  expectNoSecret,
  pacerStoppingAfter,
  recordingSleep,
  rejection,
} from './helpers.js';

type Step = TransportResponse | NetworkError;

const answer = (status: number, envelope: unknown): TransportResponse => ({
  status,
  headers: new Headers({ 'content-type': 'application/json' }),
  body: JSON.stringify(envelope),
});
const ok = (result: unknown) => answer(200, { success: true, errors: [], messages: [], result });
const serverError = () => answer(502, { success: false, errors: [{ code: 1000, message: 'Bad gateway' }], result: null });
const lost = () => new NetworkError('ignored', 'connection reset (ECONNRESET)', true);
const refused = () => new NetworkError('ignored', 'connection refused (ECONNREFUSED)', false);

/** Answers each request with the next scripted step; records the requests. */
function scripted(...steps: Step[]) {
  return scriptedWith({}, ...steps);
}

/**
 * As scripted(), with client options (a pacer, a stop signal). A lost POST is looked up with one
 * list unless `lookupDelaysMs` says otherwise (the stale-list tests below).
 */
function scriptedWith(options: Partial<CloudflareClientOptions> & { lookupDelaysMs?: number[] }, ...steps: Step[]) {
  const { lookupDelaysMs = [], ...clientOptions } = options;
  const { sleep, waits } = recordingSleep();
  const requests: TransportRequest[] = [];
  const transport: Transport = async (request) => {
    requests.push(request);
    const step = steps.shift();
    if (!step) throw new Error(`unexpected request ${request.method} ${request.url}`);
    if (step instanceof NetworkError) throw step;
    return step;
  };
  const logs = captureLogs();
  const client = createCloudflareClient({
    baseUrl: BASE_URL,
    credentials: { kind: 'token', token: TOKEN },
    transport,
    retry: { sleep, maxRetries: 2 },
    pacer: null,
    logger: logs.logger,
    ...clientOptions,
  });
  const api = createSecondaryDnsApi(client, ACCOUNT, { lookupDelaysMs });
  const calls = () => requests.map((r) => `${r.method} ${r.url.replace(`${BASE_URL}/accounts/${ACCOUNT}/secondary_dns/`, '')}`);
  return { api, requests, calls, logs, waits };
}

const peer = { id: 'p1', name: 'my-peer-1' };

describe('list, replace, remove', () => {
  it('lists a collection', async () => {
    const { api, calls } = scripted(ok([peer, { id: 'p2', name: 'other', ip: '192.0.2.1' }]));
    expect(await api.list('peers')).toEqual([peer, { id: 'p2', name: 'other', ip: '192.0.2.1' }]);
    expect(calls()).toEqual(['GET peers']);
  });

  it('refuses objects without a string id and name', async () => {
    const { api } = scripted(ok([{ id: 7, name: 'x' }]));
    const err = await rejection(() => api.list('peers'));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toContain('GET peers: the answer holds an object without a string "id" and "name"');
  });

  it('replaces with PUT on the object and removes with DELETE', async () => {
    const { api, calls, requests } = scripted(ok({ ...peer, ip: '192.0.2.53' }), ok({ id: 'p1' }));
    const body = { name: 'my-peer-1', ip: '192.0.2.53', port: 53, ixfr_enable: false, tsig_id: null };
    expect(await api.replace('peers', 'p1', body)).toEqual({ ...peer, ip: '192.0.2.53' });
    await api.remove('peers', 'p1');
    expect(calls()).toEqual(['PUT peers/p1', 'DELETE peers/p1']);
    expect(JSON.parse(requests[0]!.body!)).toEqual(body);
    expect(requests[1]!.body).toBeUndefined();
  });
});

describe('create', () => {
  it('POSTs once when the answer arrives', async () => {
    const { api, calls, requests } = scripted(ok(peer));
    expect(await api.create('peers', { name: 'my-peer-1' })).toEqual(peer);
    expect(calls()).toEqual(['POST peers']);
    expect(requests[0]!.headers['Content-Type']).toBe('application/json');
  });

  it('after a lost answer, adopts the one object with that name', async () => {
    const { api, calls, logs } = scripted(lost(), ok([{ id: 'x', name: 'someone-else' }, peer]));
    expect(await api.create('peers', { name: 'my-peer-1' })).toEqual(peer);
    expect(calls()).toEqual(['POST peers', 'GET peers']);
    expect(logs.lines()).toContainEqual(
      expect.objectContaining({
        level: 40,
        operation: 'POST peers',
        objectName: 'my-peer-1',
        id: 'p1',
        msg: 'POST peers: adopted "my-peer-1" (p1), created by a request whose answer was lost',
      }),
    );
  });

  it('after a 5xx, finds nothing and POSTs again', async () => {
    const { api, calls, logs } = scripted(serverError(), ok([]), ok(peer));
    expect(await api.create('peers', { name: 'my-peer-1' })).toEqual(peer);
    expect(calls()).toEqual(['POST peers', 'GET peers', 'POST peers']);
    expect(logs.lines()).toContainEqual(
      expect.objectContaining({ level: 40, msg: 'POST peers: the lost request did not create "my-peer-1"; sending it again' }),
    );
  });

  it('refuses to guess when several objects carry the name', async () => {
    const { api } = scripted(lost(), ok([peer, { id: 'p9', name: 'my-peer-1' }]));
    const err = await rejection(() => api.create('peers', { name: 'my-peer-1' }));
    expect(err).toBeInstanceOf(AmbiguousObjectError);
    expect(err.message).toContain('2 objects with that name (ids p1, p9)');
  });

  it('sends the POST again at most maxRetries times', async () => {
    const { api, calls } = scripted(lost(), ok([]), lost(), ok([]), lost(), ok([]));
    const err = await rejection(() => api.create('peers', { name: 'my-peer-1' }));
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).outcomeUnknown).toBe(true);
    expect(err.message).toBe('POST peers: connection reset (ECONNRESET)');
    expect(calls()).toEqual(['POST peers', 'GET peers', 'POST peers', 'GET peers', 'POST peers', 'GET peers']);
  });

  it('does not look anything up after an error that did not act', async () => {
    const { api, calls } = scripted(answer(400, { success: false, errors: [{ code: 1002, message: 'bad name' }] }));
    expect((await rejection(() => api.create('peers', { name: 'my-peer-1' }))).message).toBe(
      'POST peers: HTTP 400: [1002] bad name',
    );
    expect(calls()).toEqual(['POST peers']);
  });

  it('lets the retry layer resend a POST whose connection was refused, without a lookup', async () => {
    const { api, calls } = scripted(refused(), ok(peer));
    expect(await api.create('peers', { name: 'my-peer-1' })).toEqual(peer);
    expect(calls()).toEqual(['POST peers', 'POST peers']);
  });

  it('keeps a TSIG secret out of every message and log line', async () => {
    const body = { name: 'tsig.example.', algo: 'hmac-sha512.', secret: TSIG_SECRET };
    const echo = answer(500, { success: false, errors: [{ code: 1000, message: `cannot store ${TSIG_SECRET}` }] });
    const { api, logs, requests } = scripted(echo, ok([]), echo, ok([]), echo, ok([]));
    const err = await rejection(() => api.create('tsigs', body));
    expect(err.message).toBe('POST tsigs: HTTP 500: [1000] cannot store (redacted)');
    expect(JSON.parse(requests[0]!.body!)).toEqual(body);
    expectNoSecret(logs.text());
  });
});

describe('create when the run stops', () => {
  const stopping = (takes: number) => {
    const stop = new AbortController();
    return { pacer: pacerStoppingAfter(takes, stop), stop: stop.signal };
  };

  it('is "not sent" when its POST was held by the pacer', async () => {
    const { api, calls } = scriptedWith(stopping(0));
    expect(await rejection(() => api.create('peers', { name: 'my-peer-1' }))).toBeInstanceOf(NotSentError);
    expect(calls()).toEqual([]);
  });

  it('after a lost POST whose lookup is held, fails with the outcome-unknown error (the object may exist)', async () => {
    const { api, calls } = scriptedWith(stopping(1), lost());
    const err = await rejection(() => api.create('peers', { name: 'my-peer-1' }));
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).outcomeUnknown).toBe(true);
    expect(err.message).toBe('POST peers: connection reset (ECONNRESET)');
    expect(calls()).toEqual(['POST peers']);
  });

  it('when the POST sent again is held, fails with the error of the POST that was sent', async () => {
    const { api, calls } = scriptedWith(stopping(2), serverError(), ok([]));
    const err = await rejection(() => api.create('peers', { name: 'my-peer-1' }));
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(502);
    expect(calls()).toEqual(['POST peers', 'GET peers']);
  });
});

describe('create after a lost POST: a stale list is not proof', () => {
  const delays = { lookupDelaysMs: [500, 1_000, 2_000] };

  it('lists again with a backoff until the object shows up, then adopts it without a second POST', async () => {
    const { api, calls, waits } = scriptedWith(delays, lost(), ok([]), ok([]), ok([peer]));
    expect(await api.create('peers', { name: 'my-peer-1' })).toEqual(peer);
    expect(calls()).toEqual(['POST peers', 'GET peers', 'GET peers', 'GET peers']);
    expect(waits).toEqual([500, 1_000]);
  });

  it('sends the POST again only after every list came back without it', async () => {
    const { api, calls, waits } = scriptedWith(delays, serverError(), ok([]), ok([]), ok([]), ok([]), ok(peer));
    expect(await api.create('peers', { name: 'my-peer-1' })).toEqual(peer);
    expect(calls()).toEqual(['POST peers', 'GET peers', 'GET peers', 'GET peers', 'GET peers', 'POST peers']);
    expect(waits).toEqual([500, 1_000, 2_000]);
  });

  it('matches names with the matcher the caller gives (TSIG names: any case, trailing dot)', async () => {
    const sameName = (a: string, b: string) => a.toLowerCase().replace(/\.?$/, '.') === b.toLowerCase().replace(/\.?$/, '.');
    const stored = { id: 't1', name: 'Key.Example.' };
    const { api, calls } = scripted(lost(), ok([stored]));
    expect(await api.create('tsigs', { name: 'key.example', algo: 'hmac-sha256.', secret: TSIG_SECRET }, { sameName })).toEqual(stored);
    expect(calls()).toEqual(['POST tsigs', 'GET tsigs']);
  });

  it('compares names exactly by default', async () => {
    const { api, calls } = scripted(lost(), ok([{ id: 't1', name: 'Key.Example.' }]), ok({ id: 't2', name: 'key.example.' }));
    expect(await api.create('tsigs', { name: 'key.example.' })).toEqual({ id: 't2', name: 'key.example.' });
    expect(calls()).toEqual(['POST tsigs', 'GET tsigs', 'POST tsigs']);
  });

  it('never sends the POST again when the server said x-should-retry: false', async () => {
    const noRetry: TransportResponse = { ...serverError(), headers: new Headers({ 'x-should-retry': 'false' }) };
    const { api, calls } = scripted(noRetry, ok([]));
    const err = await rejection(() => api.create('peers', { name: 'my-peer-1' }));
    expect((err as ApiError).status).toBe(502);
    expect(calls()).toEqual(['POST peers', 'GET peers']);
  });

  it('when the run stops during the backoff, fails with the outcome-unknown error and sends nothing more', async () => {
    const stopped = async () => {
      throw new Error('stopping');
    };
    const { api, calls } = scriptedWith({ ...delays, retry: { sleep: stopped, maxRetries: 2 } }, lost(), ok([]));
    const err = await rejection(() => api.create('peers', { name: 'my-peer-1' }));
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).outcomeUnknown).toBe(true);
    expect(calls()).toEqual(['POST peers', 'GET peers']);
  });

  it('re-checks each re-sent name at the end and reports the duplicates that appeared', async () => {
    const late = { id: 'p9', name: 'my-peer-1' };
    const { api, calls } = scripted(serverError(), ok([]), ok(peer), ok([peer, late, { id: 'x', name: 'other' }]));
    await api.create('peers', { name: 'my-peer-1' });
    expect(await api.recheckResent!()).toEqual([{ collection: 'peers', name: 'my-peer-1', ids: ['p1', 'p9'] }]);
    expect(calls()).toEqual(['POST peers', 'GET peers', 'POST peers', 'GET peers']);
  });

  it('costs nothing at the end when no POST was sent again', async () => {
    const { api, calls } = scripted(lost(), ok([peer]));
    await api.create('peers', { name: 'my-peer-1' });
    expect(await api.recheckResent!()).toEqual([]);
    expect(calls()).toEqual(['POST peers', 'GET peers']);
  });
});
