/**
 * The one seam between dnsctl and the network: send one HTTP request, get the whole answer back.
 *
 * A Transport knows nothing of Cloudflare, envelopes, retries or pacing; the client layers those
 * on top. Tests (and property tests of the planner/executor) can pass any in-memory function of
 * this type to createCloudflareClient() to run the real retry and envelope code without HTTP.
 * Contract for such a fake:
 *   - resolve with {status, headers, body} for every answer, whatever its status (4xx/5xx too);
 *   - reject with NetworkError when there is no complete answer, with `outcomeUnknown` false only
 *     if the request certainly never reached the server (the `operation` it carries is replaced
 *     by the client's readable one).
 */
import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import { NetworkError, NetworkSetupError, ResponseTooLargeError, UsageError } from '../errors.js';
import { isLoopbackHost } from './credentials.js';

/** Answers larger than this are refused (an endless body must not fill the memory). */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
export const MAX_RESPONSE_ENV = 'DNSCTL_MAX_RESPONSE_MB';

/** DNSCTL_MAX_RESPONSE_MB (whole MiB, 1-4096), else 16 MiB. */
export function maxResponseBytesFromEnv(env: Record<string, string | undefined>): number {
  const raw = env[MAX_RESPONSE_ENV]?.trim();
  if (!raw) return DEFAULT_MAX_RESPONSE_BYTES;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 4096) {
    throw new UsageError(`${MAX_RESPONSE_ENV} takes a whole number of MiB from 1 to 4096, got "${raw}"`);
  }
  return Number(raw) * 1024 * 1024;
}

export interface TransportRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Covers the whole exchange: connecting, the response headers and the whole body. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Largest body read; past it the request fails with ResponseTooLargeError. Default 16 MiB. */
  maxResponseBytes?: number;
}
export interface TransportResponse {
  status: number;
  headers: Headers;
  body: string;
}

export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** A Transport that owns connections, which close() releases. */
export type ClosableTransport = Transport & { close(): Promise<void> };

/** Failures that happen before a connection exists: the server cannot have seen the request. */
const NOT_SENT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'timed out while connecting',
  UND_ERR_DESTROYED: 'the client was already closed',
  UND_ERR_CLOSED: 'the client was already closed',
};

const MAY_HAVE_BEEN_SENT: Record<string, string> = {
  ECONNRESET: 'connection reset',
  EPIPE: 'connection broken while sending',
  UND_ERR_SOCKET: 'connection closed before a complete answer',
  UND_ERR_HEADERS_TIMEOUT: 'no response headers in time',
  UND_ERR_BODY_TIMEOUT: 'response body stalled',
};

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** fetch wraps the real failure: "fetch failed" → DOMException → RequestAbortedError, or → a socket error. */
function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let cause = err; cause && chain.length < 5; cause = (cause as { cause?: unknown }).cause) chain.push(cause);
  return chain;
}

/** What the proxy settings mean for one target: the proxy it goes through, if any. */
export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy: string;
  /** The variable each proxy came from, for messages. */
  httpProxyVariable?: string;
  httpsProxyVariable?: string;
}

/** An origin to show in a message: never the user info a proxy URL may carry. */
function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(unreadable URL)';
  }
}

/**
 * Turns whatever fetch threw into a NetworkError, quoting the cause with every header value
 * blanked out: fetch's own TypeErrors may repeat a header value (a token).
 */
function toNetworkError(err: unknown, request: TransportRequest, proxy: { url: string; variable: string } | null): NetworkError {
  const label = `${request.method} ${request.url}`;
  if (err instanceof DOMException && err.name === 'TimeoutError') {
    return new NetworkError(label, `no complete answer within ${request.timeoutMs} ms`, true);
  }
  if (err instanceof DOMException && err.name === 'AbortError') {
    return new NetworkError(label, 'request aborted', true);
  }
  const target = new URL(request.url);
  const chain = causes(err);
  const messages = chain.map((c) => String((c as Error)?.message ?? c));

  const tunnel = messages.map((m) => /Proxy response \((\d+)\) !== 200/.exec(m)).find(Boolean);
  if (tunnel && proxy) {
    return new NetworkError(
      label,
      `the proxy ${safeOrigin(proxy.url)} refused to connect to ${target.host} (HTTP ${tunnel[1]} to CONNECT): check ${proxy.variable} and NO_PROXY`,
      false,
      false,
    );
  }
  if (messages.includes('bad port')) {
    return new NetworkError(
      label,
      `port ${target.port} is one that fetch refuses to use (a "bad port", kept for other protocols): put the API on another port in --api-url / CLOUDFLARE_BASE_URL`,
      false,
      false,
    );
  }

  // The socket/DNS error is the last cause with a string code.
  const cause = [...chain].reverse().find((c) => errorCode(c) !== undefined) ?? chain[1] ?? err;
  const code = errorCode(cause);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    const host = String((cause as { hostname?: unknown }).hostname ?? target.hostname);
    const isProxy = proxy !== null && host === new URL(proxy.url).hostname;
    const check = isProxy ? `check ${proxy.variable}` : 'check --api-url / CLOUDFLARE_BASE_URL';
    return code === 'ENOTFOUND'
      ? new NetworkError(label, `unknown host ${host}: its name does not resolve (ENOTFOUND); ${check}`, false, false)
      : new NetworkError(label, `looking up host ${host} failed (temporary DNS failure, EAI_AGAIN)`, false);
  }
  if (code && code in NOT_SENT) {
    // Through a proxy, every connection dnsctl opens is to the proxy (the target's failures come back as CONNECT answers).
    const via = proxy ? ` by the proxy ${safeOrigin(proxy.url)} (${proxy.variable})` : '';
    return new NetworkError(label, `${NOT_SENT[code]}${via} (${code})`, false);
  }
  if (code && code in MAY_HAVE_BEEN_SENT) return new NetworkError(label, `${MAY_HAVE_BEEN_SENT[code]} (${code})`, true);
  const detail = withoutHeaderValues(String((cause as Error)?.message ?? cause), request);
  if (code) return new NetworkError(label, `network error ${code}: ${detail}`, true);
  return new NetworkError(label, `request failed: ${detail}`, true);
}

/** fetch may quote a header value (a token) in its message: blank every one of them out. */
function withoutHeaderValues(message: string, request: TransportRequest): string {
  let text = message;
  // Whole values, then their words: fetch may quote a value trimmed or split at a line break.
  const values = Object.values(request.headers);
  const pieces = [...values, ...values.flatMap((v) => v.split(/\s+/))].filter((p) => p.length >= 6);
  for (const piece of pieces.sort((a, b) => b.length - a.length)) text = text.split(piece).join('(redacted)');
  return text.slice(0, 200);
}

function tooLarge(request: TransportRequest, cap: number): ResponseTooLargeError {
  const mib = Math.round((cap / 1024 / 1024) * 100) / 100;
  return new ResponseTooLargeError(
    `${request.method} ${request.url}`,
    `the answer is larger than ${mib} MiB; stopped reading it (raise the cap with ${MAX_RESPONSE_ENV} if this is expected)`,
  );
}

/** Reads the body as a stream and stops past `cap` bytes: memory stays bounded, whatever the server sends. */
async function readCapped(response: Response, request: TransportRequest, cap: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '');
  if (Number.isFinite(declared) && declared > cap) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge(request, cap);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel().catch(() => {});
      throw tooLarge(request, cap);
    }
    chunks.push(value);
  }
  // TextDecoder drops a BOM, as response.text() does.
  return new TextDecoder().decode(Buffer.concat(chunks));
}

export interface FetchTransportOptions {
  /** Most connections kept open per origin: the run's concurrency. */
  connections: number;
  /** Default: process.env. */
  env?: Record<string, string | undefined>;
}

/** True when NO_PROXY (comma or space separated hosts, ".suffix", "*", "host:port") covers the target. */
function bypassesProxy(target: URL, noProxy: string): boolean {
  return noProxy
    .split(/[,\s]+/)
    .filter(Boolean)
    .some((entry) => {
      if (entry === '*') return true;
      const [host = '', port] = entry.replace(/^\*?\./, '').toLowerCase().split(':');
      if (port !== undefined && port !== (target.port || (target.protocol === 'https:' ? '443' : '80'))) return false;
      const hostname = target.hostname.toLowerCase();
      return hostname === host || hostname.endsWith(`.${host}`);
    });
}

/**
 * Global fetch through undici keep-alive agents. Targets on this machine (127.0.0.0/8, ::1,
 * localhost) are always reached directly; others through HTTP_PROXY / HTTPS_PROXY unless
 * NO_PROXY says otherwise (read once, when the transport is created). Credentials never travel
 * through a proxy in clear text: a plain http:// target behind a proxy is refused (the proxy
 * would read the token). Redirects are not followed: credentials stay with the origin they were
 * meant for, and a 3xx surfaces as an answer the client explains.
 */
export function createFetchTransport(options: FetchTransportOptions): ClosableTransport {
  const settings = proxySettings(options.env ?? process.env);
  const direct = new Agent({ connections: options.connections });
  // One agent per proxy URL; this module, not undici, decides which request goes through which.
  const proxyAgents = new Map<string, ProxyAgent>();
  for (const url of [settings.httpProxy, settings.httpsProxy]) {
    if (url && !proxyAgents.has(url)) proxyAgents.set(url, new ProxyAgent({ uri: url, connections: options.connections }));
  }

  /** The proxy a request to `target` goes through (null: direct). */
  function decide(target: URL): { url: string; variable: string } | null {
    if (isLoopbackHost(target.hostname) || bypassesProxy(target, settings.noProxy)) return null;
    if (target.protocol === 'http:') return settings.httpProxy ? { url: settings.httpProxy, variable: settings.httpProxyVariable! } : null;
    if (settings.httpsProxy) return { url: settings.httpsProxy, variable: settings.httpsProxyVariable! };
    return settings.httpProxy ? { url: settings.httpProxy, variable: settings.httpProxyVariable! } : null;
  }
  const decided = new Map<string, { url: string; variable: string } | null>();
  const proxyFor = (target: URL): { url: string; variable: string } | null => {
    const known = decided.get(target.origin);
    if (known !== undefined) return known;
    const proxy = decide(target);
    decided.set(target.origin, proxy);
    return proxy;
  };

  const transport: Transport = async (request) => {
    const target = new URL(request.url);
    const proxy = proxyFor(target);
    if (proxy && target.protocol === 'http:') {
      throw new NetworkError(
        `${request.method} ${request.url}`,
        `refusing to send credentials to ${target.origin} in clear text through the proxy ${safeOrigin(proxy.url)} (${proxy.variable}): use https://, or add the host to NO_PROXY`,
        false,
        false,
      );
    }
    // One controller and one timer per request: AbortSignal.timeout/any cost ~0.1 ms each.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException('timed out', 'TimeoutError')), request.timeoutMs);
    const onCallerAbort = () => controller.abort(new DOMException('aborted', 'AbortError'));
    request.signal?.addEventListener('abort', onCallerAbort, { once: true });
    if (request.signal?.aborted) onCallerAbort();
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        signal: controller.signal,
        // undici's Dispatcher and the one typed for Node's bundled fetch are the same protocol.
        dispatcher: ((proxy ? proxyAgents.get(proxy.url) : undefined) ?? direct) as Dispatcher as unknown as RequestInit['dispatcher'],
      } as RequestInit);
      // The same signal aborts a stalled body, so the timeout covers the whole answer.
      const body = await readCapped(response, request, request.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
      return { status: response.status, headers: response.headers, body };
    } catch (err) {
      if (err instanceof ResponseTooLargeError) throw err;
      throw toNetworkError(controller.signal.aborted ? controller.signal.reason : err, request, proxy);
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onCallerAbort);
    }
  };
  return Object.assign(transport, {
    close: async () => void (await Promise.all([direct.close(), ...[...proxyAgents.values()].map((agent) => agent.close())])),
  });
}

/**
 * The proxy variables (lower case first, as curl and undici read them), read once and checked:
 * a malformed proxy URL is one clear error, not undici's "Invalid URL".
 */
export function proxySettings(env: Record<string, string | undefined>): ProxySettings {
  const pick = (lower: string, upper: string) => {
    const variable = env[lower] !== undefined ? lower : upper;
    const value = env[variable]?.trim();
    if (!value) return undefined;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
      // Not quoted: a proxy URL may carry a password.
      throw new NetworkSetupError(`${variable} is not a valid proxy URL (expected e.g. http://proxy.example:3128): fix it or unset it`);
    }
    return { value, variable };
  };
  const http = pick('http_proxy', 'HTTP_PROXY');
  const https = pick('https_proxy', 'HTTPS_PROXY');
  return {
    ...(http ? { httpProxy: http.value, httpProxyVariable: http.variable } : {}),
    ...(https ? { httpsProxy: https.value, httpsProxyVariable: https.variable } : {}),
    noProxy: env.no_proxy ?? env.NO_PROXY ?? '',
  };
}
