/**
 * The Cloudflare API client: authentication, the response envelope, retries (retry.ts), pacing
 * (pacer.ts) and paging, over an injectable Transport (transport.ts).
 *
 * Every failure is an ApiError or a NetworkError whose message names the operation ("POST peers")
 * and quotes what Cloudflare said. Nothing that was sent — request body, token, key — ever
 * appears in a message or a log line; credential values and sensitive body fields are scrubbed
 * even from what the server answered.
 */
import { ApiError, NetworkError, NotSentError, type CloudflareErrorDetail } from '../errors.js';
import type { Logger } from '../log.js';
import { USER_AGENT } from '../version.js';
import { assertSafeBaseUrl, authHeaders, type Credentials } from './credentials.js';
import { createPacer, type Pacer } from './pacer.js';
import { parseRetryAfter, retryPolicy, withRetry, type RetryOptions } from './retry.js';
import { createFetchTransport, type Transport } from './transport.js';

export interface ResultInfo {
  page?: number;
  per_page?: number;
  count?: number;
  total_count?: number;
  total_pages?: number;
}

export interface ApiResponse<T> {
  result: T;
  resultInfo?: ResultInfo;
}

export type RequestBody = Record<string, unknown>;

export interface CloudflareClient {
  request<T>(method: string, path: string, body?: RequestBody): Promise<ApiResponse<T>>;
  /** GET of a collection, following `result_info` pages when the first answer says there are more. */
  listAll<T>(path: string): Promise<T[]>;
  /** Releases the connections of the transport the client created (a no-op for an injected one). */
  close(): Promise<void>;
  readonly logger: Logger;
  /** The retry bound, also used by callers that repeat a whole operation (create after a lost POST). */
  readonly maxRetries: number;
}

export interface CloudflareClientOptions {
  /** e.g. https://api.cloudflare.com/client/v4 (see resolveBaseUrl). Checked by assertSafeBaseUrl. */
  baseUrl: string;
  credentials: Credentials;
  /** Default: createFetchTransport({ connections }). Tests pass an in-memory function. */
  transport?: Transport;
  /** Connections per origin of the default transport: the run's concurrency. Default 4. */
  connections?: number;
  /** Per request, headers and body included. Default 30 s. */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** Default: one pacer with Cloudflare's budget (DEFAULT_PACING). `null`: no pacing at all (benchmarks). */
  pacer?: Pacer | null;
  logger: Logger;
  userAgent?: string;
  /** Aborts requests in flight; nothing is retried once it fires. */
  signal?: AbortSignal;
  /**
   * Once aborted, no request waits any more: one held by the pacer ends at once with a
   * NotSentError (a retry held so ends with the error of the attempt that was sent), one waiting
   * for its next retry gives up with its last error. Requests on the wire, and those that need
   * no wait, go on (the operations in flight finish).
   */
  stop?: AbortSignal;
  /**
   * Values scrubbed from every message and Cloudflare error text, whatever the request (e.g. the
   * config's TSIG secrets, which a GET's answer could repeat). Those under 8 characters are ignored.
   */
  redact?: string[];
}

/** Most pages listAll follows before it decides the server is looping. */
const MAX_PAGES = 1000;
const SNIPPET_LENGTH = 200;
const SENSITIVE_FIELD = /secret|key|token|password/i;
const REDACTED = '(redacted)';
/** Shorter values are not scrubbed: a token "T" would garble every "POST tsigs" (a real one has 40). */
const MIN_SCRUBBED_LENGTH = 8;

/** "POST /accounts/0123/secondary_dns/peers" → "POST peers"; "PUT …/peers/abc" → "PUT peers/abc". */
export function operationName(method: string, path: string): string {
  const pathOnly = path.split('?')[0] ?? path;
  const inCollection = pathOnly.split('/secondary_dns/')[1];
  return `${method} ${inCollection ?? pathOnly.replace(/^\/+/, '')}`;
}

/**
 * Replaces every value of `always` (credentials, `redact`) and of the request's sensitive fields in
 * text taken from an answer.
 */
function makeScrubber(always: string[], body: RequestBody | undefined): (text: string) => string {
  const values = [...always];
  for (const [field, value] of Object.entries(body ?? {})) {
    if (SENSITIVE_FIELD.test(field) && typeof value === 'string') values.push(value);
  }
  // Longest first: a value that contains another is scrubbed whole.
  const scrubbed = values.filter((v) => v.length >= MIN_SCRUBBED_LENGTH).sort((a, b) => b.length - a.length);
  return (text) => scrubbed.reduce((result, value) => result.split(value).join(REDACTED), text);
}

/**
 * What to say of an answer that is not JSON: an HTML page's <title>, or a short quote of any other
 * text, never text that may carry an object (a `{`) or a secret (an answer may wrap the JSON).
 */
function describeNotJson(body: string, isHtml: boolean): string {
  const kind = isHtml ? 'an HTML page instead of JSON (an error page from a proxy or the edge?)' : 'an answer that is not valid JSON';
  const quotable = isHtml ? /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1] : body;
  if (quotable === undefined || /secret|\{/i.test(quotable)) return `${kind} (${Buffer.byteLength(body)} bytes, not quoted)`;
  const text = quotable.replace(/\s+/g, ' ').trim();
  return `${kind}: "${text.length > SNIPPET_LENGTH ? `${text.slice(0, SNIPPET_LENGTH - 1)}…` : text}"`;
}

function readErrors(errors: unknown): CloudflareErrorDetail[] {
  if (!Array.isArray(errors)) return [];
  return errors.map((e: { code?: unknown; message?: unknown } | null) => ({
    code: typeof e?.code === 'number' ? e.code : null,
    message: typeof e?.message === 'string' ? e.message : 'unknown error',
  }));
}

function describeErrors(errors: CloudflareErrorDetail[]): string {
  if (errors.length === 0) return 'no error detail given';
  return errors.map((e) => (e.code === null ? e.message : `[${e.code}] ${e.message}`)).join('; ');
}

/** What the user can do about a status, beyond Cloudflare's own words. */
function hintFor(status: number, path: string): string {
  if (status === 401 || status === 403) {
    return ' — the API token needs the "Account Settings Write" permission on this account ("Account Settings Read" to list)';
  }
  const account = /^\/accounts\/([^/?]+)/.exec(path)?.[1];
  if (status === 404 && account) {
    const isObject = /\/secondary_dns\/[^/?]+\/[^/?]+/.test(path);
    return isObject
      ? ` — the object no longer exists, or the account id ${account} is wrong`
      : ` — the account id ${account} may be wrong`;
  }
  return '';
}

interface Envelope {
  success: boolean;
  errors?: unknown;
  result?: unknown;
  result_info?: ResultInfo;
}

function isEnvelope(value: unknown): value is Envelope {
  return typeof value === 'object' && value !== null && typeof (value as Envelope).success === 'boolean';
}

interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

/** Turns one answer into its result, or into an ApiError that says what went wrong. */
function readEnvelope<T>(operation: string, path: string, answer: Answer, scrub: (s: string) => string): ApiResponse<T> {
  const { status, headers, body } = answer;
  const fail = (errors: CloudflareErrorDetail[], what: string, unreadable = false): ApiError =>
    new ApiError(
      operation,
      status,
      errors.map((e) => ({ code: e.code, message: scrub(e.message) })),
      scrub(`${operation}: HTTP ${status}: ${what}${hintFor(status, path)}`),
      parseRetryAfter(headers, Date.now()),
      unreadable,
    );

  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    if (body.trim() === '') throw fail([], 'empty answer', true);
    // Never quote JSON: a list of TSIGs cut short would show their secrets.
    if (/^\s*[[{]/.test(body)) throw fail([], `a JSON answer that is cut short or malformed (${Buffer.byteLength(body)} bytes)`, true);
    const isHtml = /^\s*</.test(body) || (headers.get('content-type') ?? '').includes('html');
    throw fail([], describeNotJson(body, isHtml), true);
  }
  if (!isEnvelope(parsed)) throw fail([], 'JSON that is not a Cloudflare API envelope (no "success" field)', true);

  const errors = readErrors(parsed.errors);
  if (!parsed.success || status >= 300) throw fail(errors, describeErrors(errors));
  if (parsed.result === undefined) throw fail([], 'the answer reports success but has no "result"', true);
  return parsed.result_info
    ? { result: parsed.result as T, resultInfo: parsed.result_info }
    : { result: parsed.result as T };
}

/** Waits, unless `stop` fires first: then the wait ends (its timer cleared) with a NotSentError. */
async function unlessStopped(wait: (signal?: AbortSignal) => Promise<void>, stop: AbortSignal | undefined, operation: string): Promise<void> {
  try {
    await wait(stop);
  } catch (err) {
    if (stop?.aborted) throw new NotSentError(operation);
    throw err;
  }
}

/** True when `result_info` shows pages after `page`, given how many items came so far. */
function hasMorePages(info: ResultInfo | undefined, page: number, itemsSoFar: number): boolean {
  if (!info) return false;
  if (typeof info.total_pages === 'number') return page < info.total_pages;
  if (typeof info.total_count === 'number') return itemsSoFar < info.total_count;
  return false;
}

export function createCloudflareClient(options: CloudflareClientOptions): CloudflareClient {
  const baseUrl = assertSafeBaseUrl(options.baseUrl).href.replace(/\/+$/, '');
  const credentialHeaders = authHeaders(options.credentials);
  const ownTransport = options.transport ? undefined : createFetchTransport({ connections: options.connections ?? 4 });
  const transport: Transport = options.transport ?? ownTransport!;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const policy = retryPolicy(options.retry);
  const pacer = options.pacer === undefined ? createPacer() : options.pacer;
  const { logger, signal, stop } = options;
  const userAgent = options.userAgent ?? USER_AGENT;
  const credentials = options.credentials;
  const alwaysScrubbed = [credentials.kind === 'token' ? credentials.token : credentials.key, ...(options.redact ?? [])];

  async function sendOnce<T>(
    method: string,
    path: string,
    operation: string,
    body: string | undefined,
    scrub: (text: string) => string,
  ): Promise<ApiResponse<T>> {
    if (pacer) await unlessStopped((signal) => pacer.take(signal), stop, operation);
    const headers: Record<string, string> = { ...credentialHeaders, 'User-Agent': userAgent, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';

    const started = Date.now();
    let answer: Answer;
    try {
      answer = await transport({ method, url: `${baseUrl}${path}`, headers, body, timeoutMs, signal });
    } catch (err) {
      if (err instanceof NetworkError) throw new NetworkError(operation, scrub(`${operation}: ${err.message}`), err.outcomeUnknown);
      throw err;
    }
    pacer?.observe(answer.headers);
    logger.debug({ method, operation, status: answer.status, durationMs: Date.now() - started }, 'cloudflare answered');
    return readEnvelope<T>(operation, path, answer, scrub);
  }

  async function request<T>(method: string, path: string, body?: RequestBody): Promise<ApiResponse<T>> {
    const operation = operationName(method, path);
    const text = body === undefined ? undefined : JSON.stringify(body);
    const scrub = makeScrubber(alwaysScrubbed, body);
    return withRetry(
      () => sendOnce<T>(method, path, operation, text, scrub),
      { method, operation, logger, signal, onRateLimited: (waitMs) => pacer?.onRateLimited(waitMs) },
      // A retry wait cut short by `stop` ends the request with its last error (see withRetry).
      { ...policy, sleep: (ms) => policy.sleep(ms, stop) },
    );
  }

  async function listPage<T>(path: string, operation: string): Promise<{ items: T[]; info?: ResultInfo }> {
    const { result, resultInfo } = await request<unknown>('GET', path);
    if (!Array.isArray(result)) {
      throw new ApiError(operation, 200, [], `${operation}: expected a list in "result", got ${typeof result}`);
    }
    return { items: result as T[], info: resultInfo };
  }

  async function listAll<T>(path: string): Promise<T[]> {
    const operation = operationName('GET', path);
    const first = await listPage<T>(path, operation);
    const items = first.items;
    const firstPage = first.info?.page ?? 1;
    if (!hasMorePages(first.info, firstPage, items.length)) return items;

    const perPage = first.info?.per_page ?? items.length;
    const separator = path.includes('?') ? '&' : '?';
    for (let page = firstPage + 1; page <= MAX_PAGES; page++) {
      const next = await listPage<T>(`${path}${separator}page=${page}&per_page=${perPage}`, operation);
      if (next.info?.page !== undefined && next.info.page !== page) {
        throw new ApiError(operation, 200, [], `${operation}: asked for page ${page}, got page ${next.info.page}`);
      }
      items.push(...next.items);
      if (next.items.length === 0 || !hasMorePages(next.info ?? first.info, page, items.length)) return items;
    }
    throw new ApiError(operation, 200, [], `${operation}: still more pages after ${MAX_PAGES}; giving up`);
  }

  return {
    request,
    listAll,
    close: async () => {
      await ownTransport?.close();
    },
    logger,
    maxRetries: policy.maxRetries,
  };
}
