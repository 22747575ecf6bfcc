/**
 * The production transport over real HTTP on 127.0.0.1: dropped connections, timeouts, refused
 * connections, the connection cap and proxy variables, as fetch + undici actually behave.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCloudflareClient } from '../../../src/cloudflare/client.js';
import { createSecondaryDnsApi } from '../../../src/cloudflare/secondary-dns.js';
import { createFetchTransport, type ClosableTransport } from '../../../src/cloudflare/transport.js';
import { ApiError, NetworkError } from '../../../src/errors.js';
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
  /** A CONNECT proxy that records the targets it tunnels to. */
  async function proxy(): Promise<{ url: string; tunnels: string[] }> {
    const tunnels: string[] = [];
    const server = createServer((_req, res) => {
      res.writeHead(501);
      res.end();
    });
    server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
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

  it('goes through HTTP_PROXY', async () => {
    const server = await serve(json(200, []));
    const { url, tunnels } = await proxy();
    useProxy(url, '');
    const answer = await transport()({ method: 'GET', url: server.url, headers: {}, timeoutMs: 5_000 });
    expect(answer.status).toBe(200);
    expect(tunnels).toEqual([new URL(server.url).host]);
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
