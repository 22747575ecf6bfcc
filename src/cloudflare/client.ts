/**
 * The Cloudflare API client: authentication, the response envelope, retries (retry.ts), pacing
 * (pacer.ts) and paging, over an injectable Transport (transport.ts).
 *
 * Every failure is an ApiError or a NetworkError whose message names the operation ("POST peers")
 * and quotes what Cloudflare said. Nothing that was sent — request body, token, key — ever
 * appears in a message or a log line; credential values and sensitive body fields are scrubbed
 * even from what the server answered.
 */
import { ApiError, NetworkError, NotSentError, ResponseTooLargeError, type CloudflareErrorDetail } from '../errors.js';
import type { Logger } from '../log.js';
import { USER_AGENT } from '../version.js';
import { assertSafeBaseUrl, authHeaders, type Credentials } from './credentials.js';
import { accountOf, hintFor, isAuthError, type TokenState } from './explain.js';
import { createPacer, type Pacer } from './pacer.js';
import { parseRetryAfter, retryPolicy, withRetry, type RetryOptions } from './retry.js';
import { DEFAULT_MAX_RESPONSE_BYTES, createFetchTransport, type Transport } from './transport.js';

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
  /** Waits with the retry policy's sleep; rejects at once when the run stops (`stop`). */
  sleep(ms: number): Promise<void>;
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
  /** Largest answer read, in bytes; past it the request fails. Default 16 MiB. */
  maxResponseBytes?: number;
}

/** Most pages listAll follows before it decides the server is looping. */
const MAX_PAGES = 1000;
/** Reads of a paged list before listAll gives up on a list that keeps changing underneath. */
const MAX_LIST_READS = 3;
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

type Scrub = (text: string) => string;

const longestFirst = (values: string[]) =>
  values.filter((v) => v.length >= MIN_SCRUBBED_LENGTH).sort((a, b) => b.length - a.length);

const scrubberOf = (sorted: string[]): Scrub => (text) => sorted.reduce((result, value) => result.split(value).join(REDACTED), text);

/**
 * Replaces every value of `always` (credentials, `redact`: thousands of secrets in a big config)
 * in text taken from an answer. Built once per client; `forBody` adds a request's sensitive fields.
 */
export function makeScrubber(always: string[]): { scrub: Scrub; forBody(body: RequestBody | undefined): Scrub } {
  const sorted = longestFirst(always);
  const known = new Set(sorted);
  const scrub = scrubberOf(sorted);
  return {
    scrub,
    forBody(body) {
      const extra: string[] = [];
      for (const [field, value] of Object.entries(body ?? {})) {
        // A config secret is in `always` already (the usual case): nothing to add.
        if (SENSITIVE_FIELD.test(field) && typeof value === 'string' && !known.has(value)) extra.push(value);
      }
      const added = longestFirst(extra);
      if (added.length === 0) return scrub;
      // Merge two sorted lists (longest first): a value that contains another is scrubbed whole.
      const merged: string[] = [];
      let i = 0;
      let j = 0;
      while (i < sorted.length || j < added.length) {
        if (j >= added.length || (i < sorted.length && sorted[i]!.length >= added[j]!.length)) merged.push(sorted[i++]!);
        else merged.push(added[j++]!);
      }
      return scrubberOf(merged);
    },
  };
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

/** `x-should-retry: true|false` (as the official SDKs read it); null when absent or anything else. */
function shouldRetryHeader(headers: Headers): boolean | null {
  const value = headers.get('x-should-retry')?.trim().toLowerCase();
  return value === 'true' ? true : value === 'false' ? false : null;
}

/** Where a redirect points, without user info or query (either could hold something private). */
function describeLocation(headers: Headers, requestUrl: string): string {
  const location = headers.get('location');
  if (!location) return 'a redirect without a Location';
  try {
    const url = new URL(location, requestUrl);
    return `a redirect to ${url.origin}${url.pathname}`;
  } catch {
    return 'a redirect to an unreadable Location';
  }
}

interface ExplainContext {
  operation: string;
  path: string;
  url: string;
  credentials: 'token' | 'key';
  token?: TokenState;
}

/** The message of an error answer: operation, status, what Cloudflare said, what to do. */
export function failureMessage(status: number, what: string, errors: CloudflareErrorDetail[], context: ExplainContext): string {
  return `${context.operation}: HTTP ${status}: ${what}${hintFor(status, errors, context.path, context.credentials, context.token)}`;
}

/** Turns one answer into its result, or into an ApiError that says what went wrong. */
function readEnvelope<T>(context: ExplainContext, answer: Answer, scrub: Scrub): ApiResponse<T> {
  const { status, headers, body } = answer;
  const { operation } = context;
  const fail = (errors: CloudflareErrorDetail[], what: string, unreadable = false): ApiError => {
    const scrubbed = errors.map((e) => ({ code: e.code, message: scrub(e.message) }));
    return new ApiError(
      operation,
      status,
      scrubbed,
      scrub(failureMessage(status, what, scrubbed, context)),
      parseRetryAfter(headers, Date.now()),
      unreadable,
      shouldRetryHeader(headers),
    );
  };

  if (status >= 300 && status < 400) {
    // Never followed (see transport.ts): the credentials would go wherever the Location says.
    const target = describeLocation(headers, context.url);
    throw fail([], `${target}, which dnsctl does not follow (the credentials stay with ${new URL(context.url).origin}); check --api-url / CLOUDFLARE_BASE_URL`);
  }

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

/**
 * Why a paged read cannot be trusted (the list changed between pages), or null. Checked only when
 * more than one page was read: `total_count` must not move, no id may come twice, and the items
 * read must add up to `total_count`.
 */
function pagingProblem(pages: Array<{ items: unknown[]; info?: ResultInfo }>): string | null {
  if (pages.length < 2) return null;
  const firstTotal = pages[0]!.info?.total_count;
  const seen = new Set<string>();
  let count = 0;
  for (const { items, info } of pages) {
    const total = info?.total_count;
    if (typeof firstTotal === 'number' && typeof total === 'number' && total !== firstTotal) {
      return `total_count went from ${firstTotal} to ${total}`;
    }
    for (const item of items) {
      const id = (item as { id?: unknown } | null)?.id;
      if (typeof id === 'string') {
        if (seen.has(id)) return `object ${id} came on two pages`;
        seen.add(id);
      }
    }
    count += items.length;
  }
  if (typeof firstTotal === 'number' && count !== firstTotal) return `read ${count} objects, total_count says ${firstTotal}`;
  return null;
}

export function createCloudflareClient(options: CloudflareClientOptions): CloudflareClient {
  const baseUrl = assertSafeBaseUrl(options.baseUrl).href.replace(/\/+$/, '');
  const credentialHeaders = authHeaders(options.credentials);
  const ownTransport = options.transport ? undefined : createFetchTransport({ connections: options.connections ?? 4 });
  const transport: Transport = options.transport ?? ownTransport!;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const policy = retryPolicy(options.retry);
  const pacer = options.pacer === undefined ? createPacer() : options.pacer;
  const { logger, signal, stop } = options;
  const userAgent = options.userAgent ?? USER_AGENT;
  const credentials = options.credentials;
  const scrubber = makeScrubber([credentials.kind === 'token' ? credentials.token : credentials.key, ...(options.redact ?? [])]);
  const sleep = (ms: number) => policy.sleep(ms, stop);

  async function sendOnce<T>(method: string, path: string, operation: string, body: string | undefined, scrub: Scrub): Promise<ApiResponse<T>> {
    if (pacer) await unlessStopped((signal) => pacer.take(signal), stop, operation);
    const headers: Record<string, string> = { ...credentialHeaders, 'User-Agent': userAgent, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';

    const url = `${baseUrl}${path}`;
    const started = Date.now();
    let answer: Answer;
    try {
      answer = await transport({ method, url, headers, body, timeoutMs, signal, maxResponseBytes });
    } catch (err) {
      if (err instanceof ResponseTooLargeError) throw new ResponseTooLargeError(operation, scrub(`${operation}: ${err.message}`));
      if (err instanceof NetworkError) {
        throw new NetworkError(operation, scrub(`${operation}: ${err.message}`), err.outcomeUnknown, err.retryable);
      }
      throw err;
    }
    pacer?.observe(answer.headers);
    logger.debug({ method, operation, status: answer.status, durationMs: Date.now() - started }, 'cloudflare answered');
    return readEnvelope<T>({ operation, path, url, credentials: credentials.kind }, answer, scrub);
  }

  /**
   * Whether Cloudflare accepts the token at all, asked once per client after an authentication
   * error: a user token at /user/tokens/verify, an account token at /accounts/{id}/tokens/verify.
   */
  let tokenCheck: Promise<TokenState> | undefined;
  function checkToken(path: string): Promise<TokenState> {
    const verify = async (verifyPath: string): Promise<TokenState> => {
      try {
        const { result } = await sendOnce<{ status?: unknown } | null>('GET', verifyPath, 'GET tokens/verify', undefined, scrubber.scrub);
        return result?.status === 'active' ? 'active' : 'invalid';
      } catch (err) {
        return err instanceof ApiError && [400, 401, 403].includes(err.status) ? 'invalid' : 'unknown';
      }
    };
    tokenCheck ??= (async () => {
      const user = await verify('/user/tokens/verify');
      const account = accountOf(path);
      if (user === 'active' || !account) return user;
      const owned = await verify(`/accounts/${account}/tokens/verify`);
      return owned === 'active' || (user === 'invalid' && owned === 'invalid') ? owned : 'unknown';
    })();
    return tokenCheck;
  }

  /** An authentication error says which of "bad token" and "no permission" it is, when the token check can tell. */
  async function explained(err: unknown, path: string): Promise<unknown> {
    if (!(err instanceof ApiError) || credentials.kind !== 'token' || !isAuthError(err.status, err.errors)) return err;
    const token = await checkToken(path);
    if (token === 'unknown') return err;
    const context = { operation: err.operation, path, url: `${baseUrl}${path}`, credentials: credentials.kind, token };
    const message = scrubber.scrub(failureMessage(err.status, describeErrors(err.errors), err.errors, context));
    return new ApiError(err.operation, err.status, err.errors, message, err.retryAfterMs, err.unreadable, err.shouldRetry);
  }

  async function request<T>(method: string, path: string, body?: RequestBody): Promise<ApiResponse<T>> {
    const operation = operationName(method, path);
    const text = body === undefined ? undefined : JSON.stringify(body);
    const scrub = scrubber.forBody(body);
    try {
      return await withRetry(
        () => sendOnce<T>(method, path, operation, text, scrub),
        { method, operation, logger, signal, onRateLimited: (waitMs) => pacer?.onRateLimited(waitMs) },
        // A retry wait cut short by `stop` ends the request with its last error (see withRetry).
        { ...policy, sleep },
      );
    } catch (err) {
      throw await explained(err, path);
    }
  }

  async function listPage<T>(path: string, operation: string): Promise<{ items: T[]; info?: ResultInfo }> {
    const { result, resultInfo } = await request<unknown>('GET', path);
    if (!Array.isArray(result)) {
      throw new ApiError(operation, 200, [], `${operation}: expected a list in "result", got ${typeof result}`);
    }
    return { items: result as T[], info: resultInfo };
  }

  /** One read of every page, as the server gives them. */
  async function readPages<T>(path: string, operation: string): Promise<Array<{ items: T[]; info?: ResultInfo }>> {
    const first = await listPage<T>(path, operation);
    const pages = [first];
    let count = first.items.length;
    const firstPage = first.info?.page ?? 1;
    if (!hasMorePages(first.info, firstPage, count)) return pages;

    const perPage = first.info?.per_page ?? first.items.length;
    const separator = path.includes('?') ? '&' : '?';
    for (let page = firstPage + 1; page <= MAX_PAGES; page++) {
      const next = await listPage<T>(`${path}${separator}page=${page}&per_page=${perPage}`, operation);
      if (next.info?.page !== undefined && next.info.page !== page) {
        throw new ApiError(operation, 200, [], `${operation}: asked for page ${page}, got page ${next.info.page}`);
      }
      pages.push(next);
      count += next.items.length;
      if (next.items.length === 0 || !hasMorePages(next.info ?? first.info, page, count)) return pages;
    }
    throw new ApiError(operation, 200, [], `${operation}: still more pages after ${MAX_PAGES}; giving up`);
  }

  /**
   * A paged list read while someone changes the account can hide an object (a delete between page
   * 1 and 2 shifts one past us): such a read is read again, and after MAX_LIST_READS the run fails
   * rather than plan a create for an object that exists.
   */
  async function listAll<T>(path: string): Promise<T[]> {
    const operation = operationName('GET', path);
    let problem = '';
    for (let read = 1; read <= MAX_LIST_READS; read++) {
      const pages = await readPages<T>(path, operation);
      const found = pagingProblem(pages);
      if (found === null) return pages.flatMap((page) => page.items);
      problem = found;
      logger.warn({ operation, read, problem }, `${operation}: the list changed while it was read page by page (${problem}); reading it again`);
    }
    throw new ApiError(
      operation,
      200,
      [],
      `${operation}: the list changed while it was read page by page (${problem}), ${MAX_LIST_READS} times in a row; ` +
        'run again when nothing else is changing the account',
    );
  }

  return {
    request,
    listAll,
    close: async () => {
      await ownTransport?.close();
    },
    logger,
    maxRetries: policy.maxRetries,
    sleep,
  };
}
