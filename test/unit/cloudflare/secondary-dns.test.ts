/**
 * createSecondaryDnsApi over a scripted in-memory Transport: the real client, envelope and retry
 * code run, without HTTP. This is also the seam other tests use to run dnsctl without a network.
 */
import { describe, expect, it } from 'vitest';
import { createCloudflareClient, type CloudflareClientOptions } from '../../../src/cloudflare/client.js';
import { accountPath, zonePath, type ApiObject } from '../../../src/cloudflare/api.js';
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
import { peerKind } from '../../../src/resources/peer.js';
import { tsigKind } from '../../../src/resources/tsig.js';
import { Secret } from '../../../src/secret.js';

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
  const calls = () =>
    requests.map((r) => `${r.method} ${r.url.replace(`${BASE_URL}/accounts/${ACCOUNT}/secondary_dns/`, '').replace(`${BASE_URL}/`, '')}`);
  return { api, requests, calls, logs, waits };
}

const peer = { id: 'p1', name: 'my-peer-1' };
const PEERS = accountPath(ACCOUNT, 'peers');
const TSIGS = accountPath(ACCOUNT, 'tsigs');
const ZONE = '269d8f4853475ca241c4e730be286b20';
const named = (name: string) => (obj: ApiObject) => obj.name === name;

describe('list, get, send, remove', () => {
  it('lists a collection', async () => {
    const { api, calls } = scripted(ok([peer, { id: 'p2', name: 'other', ip: '192.0.2.1' }]));
    expect(await api.list(PEERS)).toEqual([peer, { id: 'p2', name: 'other', ip: '192.0.2.1' }]);
    expect(calls()).toEqual(['GET peers']);
  });

  it('observing a kind refuses listed objects without a string id and name', async () => {
    const { api } = scripted(ok([{ id: 7, name: 'x' }]));
    const err = await rejection(() => peerKind.observe(api, []));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toContain('GET peers: the answer holds an object without a string "id" and "name"');
  });

  it('sends PUT to the object and removes it with DELETE', async () => {
    const { api, calls, requests } = scripted(ok({ ...peer, ip: '192.0.2.53' }), ok({ id: 'p1' }));
    const body = { name: 'my-peer-1', ip: '192.0.2.53', port: 53, ixfr_enable: false, tsig_id: '' };
    expect(await api.send('PUT', accountPath(ACCOUNT, 'peers', 'p1'), body)).toEqual({ ...peer, ip: '192.0.2.53' });
    await api.remove(accountPath(ACCOUNT, 'peers', 'p1'));
    expect(calls()).toEqual(['PUT peers/p1', 'DELETE peers/p1']);
    expect(JSON.parse(requests[0]!.body!)).toEqual(body);
    expect(requests[1]!.body).toBeUndefined();
  });

  it('treats a 404 on DELETE as already gone, and any other failure as a failure', async () => {
    const notFound = answer(404, { success: false, errors: [{ code: 1003, message: 'peer not found' }], result: null });
    const { api, calls, logs } = scripted(notFound, answer(400, { success: false, errors: [{ code: 1004, message: 'peer is in use' }], result: null }));
    await api.remove(accountPath(ACCOUNT, 'peers', 'p1'));
    expect(logs.lines()).toContainEqual(expect.objectContaining({ operation: 'DELETE peers/p1', msg: 'already gone' }));
    const err = await rejection(() => api.remove(accountPath(ACCOUNT, 'peers', 'p2')));
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    expect(calls()).toEqual(['DELETE peers/p1', 'DELETE peers/p2']);
  });

  it('gets a zone link; a 404 is an absent link, a 404 for the zone itself (7003) is an error', async () => {
    const link = { id: ZONE, name: 'example.com.', peers: ['p1'], auto_refresh_seconds: 86400, soa_serial: 7 };
    const { api, calls } = scripted(
      ok(link),
      answer(404, { success: false, errors: [{ code: 1003, message: 'not found' }], result: null }),
      answer(404, { success: false, errors: [{ code: 7003, message: 'Could not route to /zones/x, perhaps your object identifier is invalid?' }], result: null }),
    );
    expect(await api.get(zonePath(ZONE, 'incoming'))).toEqual(link);
    expect(await api.get(zonePath(ZONE, 'outgoing'))).toBeNull();
    const err = await rejection(() => api.get(zonePath('x', 'incoming')));
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(404);
    expect(calls()).toEqual([`GET zones/${ZONE}/secondary_dns/incoming`, `GET zones/${ZONE}/secondary_dns/outgoing`, 'GET zones/x/secondary_dns/incoming']);
  });

  it('POSTs a zone link action with an empty body and returns the result', async () => {
    const { api, calls, requests } = scripted(ok('Enabled'));
    expect(await api.send('POST', zonePath(ZONE, 'outgoing/enable'), {})).toBe('Enabled');
    expect(calls()).toEqual([`POST zones/${ZONE}/secondary_dns/outgoing/enable`]);
    expect(JSON.parse(requests[0]!.body!)).toEqual({});
  });
});

describe('create', () => {
  it('POSTs once when the answer arrives', async () => {
    const { api, calls, requests } = scripted(ok(peer));
    expect(await api.create(PEERS, { name: 'my-peer-1' }, named('my-peer-1'))).toEqual(peer);
    expect(calls()).toEqual(['POST peers']);
    expect(requests[0]!.headers['Content-Type']).toBe('application/json');
  });

  it('after a lost answer, adopts the one object with that name', async () => {
    const { api, calls, logs } = scripted(lost(), ok([{ id: 'x', name: 'someone-else' }, peer]));
    expect(await api.create(PEERS, { name: 'my-peer-1' }, named('my-peer-1'))).toEqual(peer);
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

  it('a TSIG create recognises its lost POST by the canonical key name (case, trailing dot) and writes no more', async () => {
    const made = { id: 't1', name: 'Key.Example.', algo: 'hmac-sha512.' };
    const { api, calls, requests } = scripted(lost(), ok([{ id: 't0', name: 'other.example.', algo: 'hmac-sha512.' }, made]));
    const target = { name: 'key.example.', id: null, zoneId: null, fields: { algo: 'hmac-sha512.', secret: new Secret(TSIG_SECRET) } };
    const created: string[] = [];
    expect(await tsigKind.create(api, target, (id) => created.push(id))).toBe('t1');
    expect(created).toEqual(['t1']);
    // The answer does not echo the secret, and the algorithm matches: no PUT after the adoption.
    expect(calls()).toEqual(['POST tsigs', 'GET tsigs']);
    expect(JSON.parse(requests[0]!.body!)).toEqual({ name: 'key.example.', algo: 'hmac-sha512.', secret: TSIG_SECRET });
  });

  it('after a 5xx, finds nothing and POSTs again', async () => {
    const { api, calls, logs } = scripted(serverError(), ok([]), ok(peer));
    expect(await api.create(PEERS, { name: 'my-peer-1' }, named('my-peer-1'))).toEqual(peer);
    expect(calls()).toEqual(['POST peers', 'GET peers', 'POST peers']);
    expect(logs.lines()).toContainEqual(
      expect.objectContaining({ level: 40, msg: 'POST peers: the lost request did not create "my-peer-1"; sending it again' }),
    );
  });

  it('refuses to guess when several objects carry the name', async () => {
    const { api } = scripted(lost(), ok([peer, { id: 'p9', name: 'my-peer-1' }]));
    const err = await rejection(() => api.create(PEERS, { name: 'my-peer-1' }, named('my-peer-1')));
    expect(err).toBeInstanceOf(AmbiguousObjectError);
    expect(err.message).toContain('2 objects with that name (ids p1, p9)');
  });

  it('sends the POST again at most maxRetries times', async () => {
    const { api, calls } = scripted(lost(), ok([]), lost(), ok([]), lost(), ok([]));
    const err = await rejection(() => api.create(PEERS, { name: 'my-peer-1' }, named('my-peer-1')));
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).outcomeUnknown).toBe(true);
    expect(err.message).toBe('POST peers: connection reset (ECONNRESET)');
    expect(calls()).toEqual(['POST peers', 'GET peers', 'POST peers', 'GET peers', 'POST peers', 'GET peers']);
  });

  it('does not look anything up after an error that did not act', async () => {
    const { api, calls } = scripted(answer(400, { success: false, errors: [{ code: 1002, message: 'bad name' }] }));
    expect((await rejection(() => api.create(PEERS, { name: 'my-peer-1' }, named('my-peer-1')))).message).toBe(
      'POST peers: HTTP 400: [1002] bad name',
    );
    expect(calls()).toEqual(['POST peers']);
  });

  it('lets the retry layer resend a POST whose connection was refused, without a lookup', async () => {
    const { api, calls } = scripted(refused(), ok(peer));
    expect(await api.create(PEERS, { name: 'my-peer-1' }, named('my-peer-1'))).toEqual(peer);
    expect(calls()).toEqual(['POST peers', 'POST peers']);
  });

  it('keeps a TSIG secret out of every message and log line', async () => {
    const body = { name: 'tsig.example.', algo: 'hmac-sha512.', secret: TSIG_SECRET };
    const echo = answer(500, { success: false, errors: [{ code: 1000, message: `cannot store ${TSIG_SECRET}` }] });
    const { api, logs, requests } = scripted(echo, ok([]), echo, ok([]), echo, ok([]));
    const err = await rejection(() => api.create(TSIGS, body, named('tsig.example.')));
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
    expect(await rejection(() => api.create(PEERS, { name: 'my-peer-1' }, named('my-peer-1')))).toBeInstanceOf(NotSentError);
    expect(calls()).toEqual([]);
  });

  it('after a lost POST whose lookup is held, fails with the outcome-unknown error (the object may exist)', async () => {
    const { api, calls } = scriptedWith(stopping(1), lost());
    const err = await rejection(() => api.create(PEERS, { name: 'my-peer-1' }, named('my-peer-1')));
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).outcomeUnknown).toBe(true);
    expect(err.message).toBe('POST peers: connection reset (ECONNRESET)');
    expect(calls()).toEqual(['POST peers']);
  });

  it('when the POST sent again is held, fails with the error of the POST that was sent', async () => {
    const { api, calls } = scriptedWith(stopping(2), serverError(), ok([]));
    const err = await rejection(() => api.create(PEERS, { name: 'my-peer-1' }, named('my-peer-1')));
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(502);
    expect(calls()).toEqual(['POST peers', 'GET peers']);
  });
});

describe('create after a lost POST: a stale list is not proof', () => {
  const delays = { lookupDelaysMs: [500, 1_000, 2_000] };

  it('lists again with a backoff until the object shows up, then adopts it without a second POST', async () => {
    const { api, calls, waits } = scriptedWith(delays, lost(), ok([]), ok([]), ok([peer]));
    expect(await api.create(PEERS, { name: 'my-peer-1' }, named('my-peer-1'))).toEqual(peer);
    expect(calls()).toEqual(['POST peers', 'GET peers', 'GET peers', 'GET peers']);
    expect(waits).toEqual([500, 1_000]);
  });

  it('sends the POST again only after every list came back without it', async () => {
    const { api, calls, waits } = scriptedWith(delays, serverError(), ok([]), ok([]), ok([]), ok([]), ok(peer));
    expect(await api.create(PEERS, { name: 'my-peer-1' }, named('my-peer-1'))).toEqual(peer);
    expect(calls()).toEqual(['POST peers', 'GET peers', 'GET peers', 'GET peers', 'GET peers', 'POST peers']);
    expect(waits).toEqual([500, 1_000, 2_000]);
  });

  it('matches names with the matcher the caller gives (TSIG names: any case, trailing dot)', async () => {
    const sameName = (a: string, b: string) => a.toLowerCase().replace(/\.?$/, '.') === b.toLowerCase().replace(/\.?$/, '.');
    const stored = { id: 't1', name: 'Key.Example.' };
    const { api, calls } = scripted(lost(), ok([stored]));
    const isOurs = (obj: ApiObject) => sameName(obj.name, 'key.example');
    expect(await api.create(TSIGS, { name: 'key.example', algo: 'hmac-sha256.', secret: TSIG_SECRET }, isOurs)).toEqual(stored);
    expect(calls()).toEqual(['POST tsigs', 'GET tsigs']);
  });

  it('adopts only what the matcher of the caller recognises (an exact one sends the POST again)', async () => {
    const { api, calls } = scripted(lost(), ok([{ id: 't1', name: 'Key.Example.' }]), ok({ id: 't2', name: 'key.example.' }));
    expect(await api.create(TSIGS, { name: 'key.example.' }, named('key.example.'))).toEqual({ id: 't2', name: 'key.example.' });
    expect(calls()).toEqual(['POST tsigs', 'GET tsigs', 'POST tsigs']);
  });

  it('never sends the POST again when the server said x-should-retry: false', async () => {
    const noRetry: TransportResponse = { ...serverError(), headers: new Headers({ 'x-should-retry': 'false' }) };
    const { api, calls } = scripted(noRetry, ok([]));
    const err = await rejection(() => api.create(PEERS, { name: 'my-peer-1' }, named('my-peer-1')));
    expect((err as ApiError).status).toBe(502);
    expect(calls()).toEqual(['POST peers', 'GET peers']);
  });

  it('when the run stops during the backoff, fails with the outcome-unknown error and sends nothing more', async () => {
    const stopped = async () => {
      throw new Error('stopping');
    };
    const { api, calls } = scriptedWith({ ...delays, retry: { sleep: stopped, maxRetries: 2 } }, lost(), ok([]));
    const err = await rejection(() => api.create(PEERS, { name: 'my-peer-1' }, named('my-peer-1')));
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).outcomeUnknown).toBe(true);
    expect(calls()).toEqual(['POST peers', 'GET peers']);
  });

  it('re-checks each re-sent name at the end and reports the duplicates that appeared', async () => {
    const late = { id: 'p9', name: 'my-peer-1' };
    const { api, calls } = scripted(serverError(), ok([]), ok(peer), ok([peer, late, { id: 'x', name: 'other' }]));
    await api.create(PEERS, { name: 'my-peer-1' }, named('my-peer-1'));
    expect(await api.recheckResent!()).toEqual([{ collection: 'peers', name: 'my-peer-1', ids: ['p1', 'p9'] }]);
    expect(calls()).toEqual(['POST peers', 'GET peers', 'POST peers', 'GET peers']);
  });

  it('costs nothing at the end when no POST was sent again', async () => {
    const { api, calls } = scripted(lost(), ok([peer]));
    await api.create(PEERS, { name: 'my-peer-1' }, named('my-peer-1'));
    expect(await api.recheckResent!()).toEqual([]);
    expect(calls()).toEqual(['POST peers', 'GET peers']);
  });
});
