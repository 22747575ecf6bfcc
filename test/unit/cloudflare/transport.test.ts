/**
 * The production transport over real HTTP on 127.0.0.1: dropped connections, timeouts, refused
 * connections, the connection cap and proxy variables, as fetch + undici actually behave.
 */
import dns from 'node:dns';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCloudflareClient } from '../../../src/cloudflare/client.js';
import { createSecondaryDnsApi } from '../../../src/cloudflare/secondary-dns.js';
import { createFetchTransport, maxResponseBytesFromEnv, type ClosableTransport } from '../../../src/cloudflare/transport.js';
import { ApiError, NetworkError, NetworkSetupError, ResponseTooLargeError, UsageError } from '../../../src/errors.js';
import { ACCOUNT, TOKEN, captureLogs, recordingSleep, rejection } from './helpers.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface TestServer {
  url: string;
  /** "METHOD path" of every request received. */
  requests: string[];
  /** Distinct TCP connections opened to the server. */
  connections: number;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(server: Server): Promise<number> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as AddressInfo).port;
}

/** A server whose handlers answer the requests in turn (the last one answers all the rest). */
async function serve(...handlers: Handler[]): Promise<TestServer> {
  const state: TestServer = { url: '', requests: [], connections: 0 };
  const server = createServer((req, res) => {
    state.requests.push(`${req.method} ${req.url}`);
    const handler = handlers.length > 1 ? handlers.shift()! : handlers[0]!;
    // Read the whole request first: what the server does next happens after it has it all.
    req.resume();
    req.on('end', () => handler(req, res));
  });
  server.on('connection', () => state.connections++);
  state.url = `http://127.0.0.1:${await listen(server)}`;
  return state;
}

const json = (status: number, result: unknown, extra: Record<string, unknown> = {}): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ success: status < 400, errors: [], messages: [], result, ...extra }));
};
const dropConnection: Handler = (req) => req.socket.destroy();
const stall: Handler = () => {};

function transport(connections = 4): ClosableTransport {
  const created = createFetchTransport({ connections });
  cleanups.push(() => created.close());
  return created;
}

function clientFor(server: TestServer) {
  const { sleep, waits } = recordingSleep();
  const logs = captureLogs();
  const client = createCloudflareClient({
    baseUrl: `${server.url}/client/v4`,
    credentials: { kind: 'token', token: TOKEN },
    transport: transport(),
    retry: { sleep, random: () => 0 },
    pacer: null,
    logger: logs.logger,
  });
  return { client, waits, logs };
}

const PEERS = `/accounts/${ACCOUNT}/secondary_dns/peers`;

describe('a connection dropped after the request arrived', () => {
  it('fails a POST with outcomeUnknown, and does not send it again blindly', async () => {
    const server = await serve(dropConnection);
    const { client, waits } = clientFor(server);
    const err = await rejection(() => client.request('POST', PEERS, { name: 'p1' }));
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).outcomeUnknown).toBe(true);
    expect(err.message).toBe('POST peers: connection closed before a complete answer (UND_ERR_SOCKET)');
    expect(server.requests).toEqual([`POST /client/v4${PEERS}`]);
    expect(waits).toEqual([]);
  });

  it('makes create look the name up and adopt what the lost POST made', async () => {
    const server = await serve(dropConnection, json(200, [{ id: 'p1', name: 'p1' }]));
    const api = createSecondaryDnsApi(clientFor(server).client, ACCOUNT);
    expect(await api.create(PEERS, { name: 'p1' }, (obj) => obj.name === 'p1')).toEqual({ id: 'p1', name: 'p1' });
    expect(server.requests).toEqual([`POST /client/v4${PEERS}`, `GET /client/v4${PEERS}`]);
  });

  it('retries a GET, which is safe to repeat', async () => {
    const server = await serve(dropConnection, json(200, []));
    const { client, waits, logs } = clientFor(server);
    expect((await client.request('GET', PEERS)).result).toEqual([]);
    expect(server.requests).toHaveLength(2);
    expect(waits).toEqual([0]);
    expect(logs.lines()).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: 'GET peers: connection closed before a complete answer (UND_ERR_SOCKET); retrying in 0.0 s (attempt 2 of 5)',
      }),
    );
  });
});

describe('failures of the production transport', () => {
  it('knows a refused connection never reached the server, so even a POST is retried', async () => {
    const server = await serve(stall);
    const port = new URL(server.url).port;
    await cleanups.pop()!(); // close the server: its port now refuses connections
    const { client, waits } = clientFor({ ...server, url: `http://127.0.0.1:${port}` });
    const err = await rejection(() => client.request('POST', PEERS, { name: 'p1' }));
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).outcomeUnknown).toBe(false);
    expect(err.message).toBe('POST peers: connection refused (ECONNREFUSED)');
    expect(waits).toHaveLength(4);
  });

  it('times out when the headers never come', async () => {
    const server = await serve(stall);
    const err = await rejection(() =>
      transport()({ method: 'POST', url: `${server.url}/x`, headers: {}, body: '{}', timeoutMs: 150 }),
    );
    expect(err).toEqual(new NetworkError(`POST ${server.url}/x`, 'no complete answer within 150 ms', true));
    expect((err as NetworkError).outcomeUnknown).toBe(true);
  });

  it('times out when the body stalls after the headers', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"success":');
    });
    const err = await rejection(() => transport()({ method: 'GET', url: server.url, headers: {}, timeoutMs: 200 }));
    // Only the transport's own timer gives this message: the stalled body did not hang the request.
    expect(err.message).toBe('no complete answer within 200 ms');
    expect((err as NetworkError).outcomeUnknown).toBe(true);
  });

  it('reports a body cut short as a network failure', async () => {
    const server = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      // Cut once the first part is on its way (not before the headers could leave).
      res.write('{"success":true,', () => req.socket.destroy());
    });
    const err = await rejection(() => transport()({ method: 'GET', url: server.url, headers: {}, timeoutMs: 5_000 }));
    expect(err.message).toBe('connection closed before a complete answer (UND_ERR_SOCKET)');
    expect((err as NetworkError).outcomeUnknown).toBe(true);
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    // The caller gives up once the server has the request (and is not answering it).
    const server = await serve(() => controller.abort());
    const err = await rejection(() =>
      transport()({ method: 'GET', url: server.url, headers: {}, timeoutMs: 5_000, signal: controller.signal }),
    );
    expect(err.message).toBe('request aborted');
  });

  it('never quotes a header value fetch refused', async () => {
    const server = await serve(json(200, []));
    const err = await rejection(() =>
      transport()({ method: 'GET', url: server.url, headers: { authorization: `Bearer ${TOKEN}\nX-Injected: 1` }, timeoutMs: 1_000 }),
    );
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.message).toContain('invalid header value');
    expect(err.message).not.toContain(TOKEN);
    expect(err.message).not.toContain('X-Injected');
  });

  it('does not follow a redirect with the credentials', async () => {
    const target = await serve(json(200, []));
    const server = await serve((_req, res) => {
      res.writeHead(302, { location: `${target.url}/elsewhere` });
      res.end();
    });
    const err = await rejection(() => clientFor(server).client.request('GET', PEERS));
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(302);
    expect(target.requests).toEqual([]);
  });
});

describe('connections', () => {
  it('keeps connections alive and opens at most `connections` to one origin', async () => {
    // The first answers wait until two requests are in at once: a second connection must open.
    const waiting: Array<() => void> = [];
    let opened = false;
    const server = await serve((req, res) => {
      const answer = () => json(200, [])(req, res);
      if (opened) return answer();
      waiting.push(answer);
      if (waiting.length === 2) {
        opened = true;
        for (const release of waiting.splice(0)) release();
      }
    });
    const send = transport(2);
    const get = () => send({ method: 'GET', url: server.url, headers: {}, timeoutMs: 5_000 });
    await Promise.all(Array.from({ length: 8 }, get));
    await get();
    expect(server.requests).toHaveLength(9);
    expect(server.connections).toBe(2);
  });
});

describe('proxy variables', () => {
  /** A CONNECT proxy that records the targets it tunnels to (or refuses them with `refuse`). */
  async function proxy(refuse?: number): Promise<{ url: string; tunnels: string[] }> {
    const tunnels: string[] = [];
    const server = createServer((_req, res) => {
      res.writeHead(501);
      res.end();
    });
    server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      if (refuse) return void client.end(`HTTP/1.1 ${refuse} Forbidden\r\n\r\n`);
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    return { url: `http://127.0.0.1:${await listen(server)}`, tunnels };
  }

  function useProxy(url: string, noProxy: string): void {
    for (const name of ['http_proxy', 'https_proxy', 'no_proxy', 'HTTPS_PROXY']) vi.stubEnv(name, undefined);
    vi.stubEnv('HTTP_PROXY', url);
    vi.stubEnv('NO_PROXY', noProxy);
  }

  it('never uses a proxy for a target on this machine, even without NO_PROXY (no token in clear to the proxy)', async () => {
    const server = await serve(json(200, []));
    const { url, tunnels } = await proxy();
    useProxy(url, '');
    vi.stubEnv('HTTPS_PROXY', url);
    const answer = await transport()({ method: 'GET', url: server.url, headers: { authorization: `Bearer ${TOKEN}` }, timeoutMs: 5_000 });
    expect(answer.status).toBe(200);
    expect(tunnels).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('tunnels an https:// target through HTTPS_PROXY, and says so when the proxy refuses the CONNECT', async () => {
    const { url, tunnels } = await proxy(403);
    useProxy(url, '');
    vi.stubEnv('HTTPS_PROXY', url.replace('http://', 'http://user:pw@'));
    const err = await rejection(() => transport()({ method: 'GET', url: 'https://api.cloudflare.example/client/v4', headers: {}, timeoutMs: 5_000 }));
    expect(tunnels).toEqual(['api.cloudflare.example:443']);
    expect(err).toEqual(
      new NetworkError(
        'GET https://api.cloudflare.example/client/v4',
        `the proxy ${url} refused to connect to api.cloudflare.example (HTTP 403 to CONNECT): check HTTPS_PROXY and NO_PROXY`,
        false,
        false,
      ),
    );
    expect(err.message).not.toContain('pw');
  });

  it('names the proxy when it is the proxy that refuses the connection', async () => {
    const { url } = await proxy();
    await cleanups.pop()!(); // the proxy's port now refuses connections
    useProxy(url, '');
    const err = await rejection(() => transport()({ method: 'GET', url: 'https://api.cloudflare.example/x', headers: {}, timeoutMs: 5_000 }));
    expect(err.message).toBe(`connection refused by the proxy ${url} (HTTP_PROXY) (ECONNREFUSED)`);
    expect((err as NetworkError).outcomeUnknown).toBe(false);
  });

  it('refuses to send anything to a plain http:// target through a proxy', async () => {
    const { url, tunnels } = await proxy();
    useProxy(url, '');
    const err = await rejection(() => transport()({ method: 'GET', url: 'http://api.example.net/x', headers: {}, timeoutMs: 5_000 }));
    expect(err.message).toBe(
      `refusing to send credentials to http://api.example.net in clear text through the proxy ${url} (HTTP_PROXY): use https://, or add the host to NO_PROXY`,
    );
    expect((err as NetworkError).retryable).toBe(false);
    expect(tunnels).toEqual([]);
  });

  it('refuses a malformed proxy URL with one clear line that does not quote it', () => {
    useProxy('http://proxy.example:3128', '');
    vi.stubEnv('https_proxy', 'proxy.example:3128:pw');
    expect(() => createFetchTransport({ connections: 1 })).toThrow(
      new NetworkSetupError('https_proxy is not a valid proxy URL (expected e.g. http://proxy.example:3128): fix it or unset it'),
    );
    vi.stubEnv('https_proxy', undefined);
    vi.stubEnv('HTTP_PROXY', 'http://');
    expect(() => createFetchTransport({ connections: 1 })).toThrow('HTTP_PROXY is not a valid proxy URL');
  });

  it('bypasses the proxy for hosts in NO_PROXY', async () => {
    const server = await serve(json(200, []));
    const { url, tunnels } = await proxy();
    useProxy(url, '127.0.0.1');
    const answer = await transport()({ method: 'GET', url: server.url, headers: {}, timeoutMs: 5_000 });
    expect(answer.status).toBe(200);
    expect(tunnels).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });
});

describe('answers past the size cap', () => {
  it('stops reading an endless body at the cap, and never retries it', async () => {
    let written = 0;
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        for (let more = true; more && !res.destroyed; ) {
          more = res.write(chunk);
          written += chunk.length;
        }
        if (!res.destroyed) res.once('drain', pump);
      };
      res.write('{"success":true,"result":[');
      pump();
    });
    const client = createCloudflareClient({
      baseUrl: `${server.url}/client/v4`,
      credentials: { kind: 'token', token: TOKEN },
      transport: transport(),
      retry: { sleep: recordingSleep().sleep },
      pacer: null,
      logger: captureLogs().logger,
      maxResponseBytes: 1024 * 1024,
    });
    const err = await rejection(() => client.request('GET', PEERS));
    expect(err).toBeInstanceOf(ResponseTooLargeError);
    expect(err.message).toBe('GET peers: the answer is larger than 1 MiB; stopped reading it (raise the cap with DNSCTL_MAX_RESPONSE_MB if this is expected)');
    expect(server.requests).toHaveLength(1);
    // The body really went past the cap (no content-length shortcut): the cap stopped the read.
    expect(written).toBeGreaterThan(1024 * 1024);
  });

  it('refuses a declared content-length past the cap before reading the body', async () => {
    const server = await serve(json(200, ['x'.repeat(5000)]));
    const err = await rejection(() => transport()({ method: 'GET', url: server.url, headers: {}, timeoutMs: 5_000, maxResponseBytes: 1000 }));
    expect(err).toBeInstanceOf(ResponseTooLargeError);
  });

  it('reads an answer just under the cap', async () => {
    const server = await serve(json(200, []));
    const answer = await transport()({ method: 'GET', url: server.url, headers: {}, timeoutMs: 5_000, maxResponseBytes: 100 });
    expect(JSON.parse(answer.body)).toEqual({ success: true, errors: [], messages: [], result: [] });
  });
});

describe('network settings fetch cannot use', () => {
  it('a port fetch refuses ("bad port") is one clear line, not retried', async () => {
    const { client, waits } = clientFor({ url: 'http://127.0.0.1:6000', requests: [], connections: 0 });
    const err = await rejection(() => client.request('GET', PEERS));
    expect(err.message).toBe(
      'GET peers: port 6000 is one that fetch refuses to use (a "bad port", kept for other protocols): put the API on another port in --api-url / CLOUDFLARE_BASE_URL',
    );
    expect(waits).toEqual([]);
  });
});

describe('unknown hosts', () => {
  /** Answers ENOTFOUND for *.invalid, as a resolver saying NXDOMAIN would; nothing leaves the machine. */
  function noSuchNames(): void {
    const lookup = dns.lookup;
    const fake = ((hostname: string, options: unknown, callback?: (err: Error) => void) => {
      const done = (typeof options === 'function' ? options : callback) as (err: Error) => void;
      const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname });
      process.nextTick(done, err);
    }) as unknown as typeof dns.lookup;
    dns.lookup = fake;
    cleanups.push(async () => {
      dns.lookup = lookup;
    });
  }

  it('names the host of the API and is not retried', async () => {
    noSuchNames();
    const { client, waits } = clientFor({ url: 'https://api.cloudflare.invalid', requests: [], connections: 0 });
    const err = await rejection(() => client.request('GET', PEERS));
    expect(err.message).toBe('GET peers: unknown host api.cloudflare.invalid: its name does not resolve (ENOTFOUND); check --api-url / CLOUDFLARE_BASE_URL');
    expect(waits).toEqual([]);
  });

  it('names the proxy variable when it is the proxy\'s host that does not resolve', async () => {
    noSuchNames();
    for (const name of ['http_proxy', 'https_proxy', 'no_proxy', 'HTTP_PROXY', 'NO_PROXY']) vi.stubEnv(name, undefined);
    vi.stubEnv('HTTPS_PROXY', 'http://proxy.corp.invalid:3128');
    const err = await rejection(() => transport()({ method: 'GET', url: 'https://api.cloudflare.example/x', headers: {}, timeoutMs: 5_000 }));
    expect(err.message).toBe('unknown host proxy.corp.invalid: its name does not resolve (ENOTFOUND); check HTTPS_PROXY');
  });
});

describe('maxResponseBytesFromEnv', () => {
  it('reads whole MiB from DNSCTL_MAX_RESPONSE_MB, 16 MiB by default, and refuses anything else', () => {
    expect(maxResponseBytesFromEnv({})).toBe(16 * 1024 * 1024);
    expect(maxResponseBytesFromEnv({ DNSCTL_MAX_RESPONSE_MB: ' 64 ' })).toBe(64 * 1024 * 1024);
    for (const raw of ['0', '1.5', 'lots', '5000']) {
      expect(() => maxResponseBytesFromEnv({ DNSCTL_MAX_RESPONSE_MB: raw })).toThrow(
        new UsageError(`DNSCTL_MAX_RESPONSE_MB takes a whole number of MiB from 1 to 4096, got "${raw}"`),
      );
    }
  });
});
