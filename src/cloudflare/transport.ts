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
import { EnvHttpProxyAgent } from 'undici';
import { NetworkError } from '../errors.js';

export interface TransportRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Covers the whole exchange: connecting, the response headers and the whole body. */
  timeoutMs: number;
  signal?: AbortSignal;
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
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed (temporary DNS failure)',
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

/**
 * Turns whatever fetch threw into a NetworkError, quoting the cause with every header value
 * blanked out: fetch's own TypeErrors may repeat a header value (a token).
 */
function toNetworkError(err: unknown, request: TransportRequest): NetworkError {
  const label = `${request.method} ${request.url}`;
  if (err instanceof DOMException && err.name === 'TimeoutError') {
    return new NetworkError(label, `no complete answer within ${request.timeoutMs} ms`, true);
  }
  if (err instanceof DOMException && err.name === 'AbortError') {
    return new NetworkError(label, 'request aborted', true);
  }
  // fetch wraps the socket/DNS error in `cause` ("fetch failed", "terminated").
  const cause = (err as { cause?: unknown } | null)?.cause ?? err;
  const code = errorCode(cause);
  if (code && code in NOT_SENT) return new NetworkError(label, `${NOT_SENT[code]} (${code})`, false);
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

export interface FetchTransportOptions {
  /** Most connections kept open per origin: the run's concurrency. */
  connections: number;
}

/**
 * Global fetch through an undici keep-alive agent that honours HTTP_PROXY, HTTPS_PROXY and
 * NO_PROXY (read when the transport is created). Redirects are not followed: credentials stay
 * with the origin they were meant for, and a 3xx surfaces as an unexpected answer.
 */
export function createFetchTransport(options: FetchTransportOptions): ClosableTransport {
  const dispatcher = new EnvHttpProxyAgent({ connections: options.connections, ...proxySettings(process.env) });

  const transport: Transport = async (request) => {
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
        dispatcher: dispatcher as unknown as RequestInit['dispatcher'],
      } as RequestInit);
      // The same signal aborts a stalled body, so the timeout covers the whole answer.
      const body = await response.text();
      return { status: response.status, headers: response.headers, body };
    } catch (err) {
      throw toNetworkError(controller.signal.aborted ? controller.signal.reason : err, request);
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onCallerAbort);
    }
  };
  return Object.assign(transport, { close: () => dispatcher.close() });
}

/**
 * The proxy variables, read once. Given explicitly, undici does not re-read NO_PROXY from
 * process.env on every request (slow when the environment holds thousands of secrets).
 */
function proxySettings(env: NodeJS.ProcessEnv): { httpProxy?: string; httpsProxy?: string; noProxy: string } {
  const httpProxy = env.http_proxy ?? env.HTTP_PROXY;
  const httpsProxy = env.https_proxy ?? env.HTTPS_PROXY;
  return {
    ...(httpProxy ? { httpProxy } : {}),
    ...(httpsProxy ? { httpsProxy } : {}),
    noProxy: env.no_proxy ?? env.NO_PROXY ?? '',
  };
}
