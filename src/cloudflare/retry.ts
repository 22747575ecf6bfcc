/**
 * The one place that decides whether a failed request is sent again, and when.
 * Modelled on octokit's plugin-throttling:
 *   - 429: wait as long as the server says (`retry-after-ms`, `retry-after` seconds or HTTP
 *     date), else a default; the request did not act, so even a POST is sent again;
 *   - 5xx, 408, 409 (a lock timeout) and network failures: exponential backoff with full jitter;
 *   - any other 4xx: never; a network failure that cannot change (unknown host, bad port): never;
 *   - `x-should-retry: true|false` from the server overrides the above (as the official SDKs do);
 *   - a POST whose outcome is unknown (timeout, dropped connection, 5xx) is never sent again
 *     here: the error goes to the caller, which looks the object up first (secondary-dns.ts).
 * Attempts and the total time spent waiting are both bounded (a 429 may wait out a 5-minute lockout).
 */
import { ApiError, NetworkError, NotSentError } from '../errors.js';
import type { Logger } from '../log.js';
import { sleep } from './sleep.js';

export interface RetryOptions {
  /** Retries after the first attempt. Default 4. */
  maxRetries?: number;
  /**
   * Most time spent waiting between attempts of one request, all retries together. Default 120 s;
   * at least 310 s when the next wait is a 429's.
   */
  maxWaitMs?: number;
  /** First backoff ceiling; doubles each retry. Default 500 ms. */
  baseDelayMs?: number;
  /** Largest backoff ceiling. Default 8 s. */
  maxDelayMs?: number;
  /** Wait after a 429 without `retry-after`. Default 5 s. */
  rateLimitDelayMs?: number;
  /** [0, 1); injectable for tests. */
  random?: () => number;
  /** Injectable for tests. Rejects when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export type RetryPolicy = Required<RetryOptions>;

/** Total wait allowed when the next one is a 429's: Cloudflare locks out for up to 5 minutes. */
const RATE_LIMIT_MAX_WAIT_MS = 310_000;

export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  return {
    maxRetries: options.maxRetries ?? 4,
    maxWaitMs: options.maxWaitMs ?? 120_000,
    baseDelayMs: options.baseDelayMs ?? 500,
    maxDelayMs: options.maxDelayMs ?? 8_000,
    rateLimitDelayMs: options.rateLimitDelayMs ?? 5_000,
    random: options.random ?? Math.random,
    sleep: options.sleep ?? sleep,
  };
}

/**
 * Reads how long the server asks us to wait: `retry-after-ms`, else `retry-after` as seconds
 * or as an HTTP date (relative to `nowMs`). Null when neither is present and readable.
 */
export function parseRetryAfter(headers: Headers, nowMs: number): number | null {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;

  const value = headers.get('retry-after')?.trim();
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

/**
 * True when the request may have acted although it failed: no complete answer after it may have
 * been sent, a 5xx, or a 2xx whose answer could not be read. A create that fails this way must look the object up before creating again.
 */
export function isOutcomeUnknown(err: unknown): boolean {
  if (err instanceof NetworkError) return err.outcomeUnknown;
  return err instanceof ApiError && (err.status >= 500 || (err.unreadable && err.status < 300));
}

/** A request is safe to send twice when doing so cannot create a second object. */
export function isIdempotent(method: string): boolean {
  return method !== 'POST' && method !== 'PATCH';
}

type Verdict =
  | { retry: false }
  | { retry: true; reason: string; rateLimited: boolean; serverDelayMs: number | null };

function judge(err: unknown, method: string): Verdict {
  if (err instanceof ApiError) {
    if (err.shouldRetry === false) return { retry: false };
    if (err.status === 429) {
      return { retry: true, reason: 'rate limited (HTTP 429)', rateLimited: true, serverDelayMs: err.retryAfterMs };
    }
    if (!err.retryable) return { retry: false };
    if (isOutcomeUnknown(err) && !isIdempotent(method)) return { retry: false };
    const reason = err.shouldRetry ? `HTTP ${err.status}, x-should-retry: true` : `HTTP ${err.status}`;
    return { retry: true, reason, rateLimited: false, serverDelayMs: err.retryAfterMs };
  }
  if (err instanceof NetworkError) {
    if (!err.retryable) return { retry: false };
    if (err.outcomeUnknown && !isIdempotent(method)) return { retry: false };
    // The message starts with the operation, which the log line names anyway.
    const reason = err.message.startsWith(`${err.operation}: `) ? err.message.slice(err.operation.length + 2) : err.message;
    return { retry: true, reason, rateLimited: false, serverDelayMs: null };
  }
  return { retry: false };
}

/**
 * A 429 dnsctl will not wait out: one line with the wait the server asked for, instead of the raw
 * code. Keeps the ApiError's fields (status 429, Cloudflare's errors).
 */
function rateLimitedError(err: ApiError, operation: string, waitMs: number, tooLong: boolean, maxWaitMs: number): ApiError {
  const seconds = Math.ceil(waitMs / 1000);
  const why = tooLong
    ? `more than dnsctl waits (${Math.round(maxWaitMs / 1000)} s in all)`
    : 'and the retries are used up (--max-retries)';
  return new ApiError(
    err.operation,
    err.status,
    err.errors,
    `${operation}: rate limited by Cloudflare (HTTP 429), retry after ${seconds} s, ${why}; run again later`,
    err.retryAfterMs,
    err.unreadable,
    err.shouldRetry,
  );
}

export interface RetryContext {
  method: string;
  /** Readable name of the request, e.g. "POST peers". */
  operation: string;
  logger: Logger;
  /** Told of every 429, with the wait it asks for (even when no retry follows). */
  onRateLimited?: (waitMs: number) => void;
  /** Once aborted, nothing is sent again. */
  signal?: AbortSignal;
}

/** Runs `attempt` until it succeeds or the policy says stop; then throws the last error. */
export async function withRetry<T>(attempt: () => Promise<T>, context: RetryContext, policy: RetryPolicy): Promise<T> {
  const maxAttempts = policy.maxRetries + 1;
  let waitedMs = 0;
  let sentError: unknown;
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt();
    } catch (err) {
      // A retry held back as the run stops was never sent: the attempt that was sent has the last word.
      if (err instanceof NotSentError && attemptNumber > 1) throw sentError;
      sentError = err;
      const verdict = judge(err, context.method);
      if (!verdict.retry) throw err;

      const backoffCeiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attemptNumber - 1));
      const waitMs = Math.round(
        verdict.serverDelayMs ??
          (verdict.rateLimited ? policy.rateLimitDelayMs : policy.random() * backoffCeiling),
      );
      // The pacer holds every request for a wait others can sit out; past that (a 1-hour
      // retry-after) each request fails at once with its own 429 instead of hanging the run.
      if (verdict.rateLimited && waitMs <= RATE_LIMIT_MAX_WAIT_MS) context.onRateLimited?.(waitMs);
      // The pacer now holds every request for a 429's wait anyway: giving up would only lose this one.
      const maxWaitMs = verdict.rateLimited ? Math.max(policy.maxWaitMs, RATE_LIMIT_MAX_WAIT_MS) : policy.maxWaitMs;
      const tooLong = waitedMs + waitMs > maxWaitMs;
      if (attemptNumber >= maxAttempts || tooLong || context.signal?.aborted) {
        if (verdict.rateLimited && err instanceof ApiError && !context.signal?.aborted) {
          throw rateLimitedError(err, context.operation, waitMs, tooLong, maxWaitMs);
        }
        throw err;
      }

      const { method, operation, logger } = context;
      logger.warn(
        { method, operation, attempt: attemptNumber, maxAttempts, reason: verdict.reason, waitMs },
        `${operation}: ${verdict.reason}; retrying in ${(waitMs / 1000).toFixed(1)} s ` +
          `(attempt ${attemptNumber + 1} of ${maxAttempts})`,
      );
      try {
        await policy.sleep(waitMs);
      } catch {
        // The wait was cut short (the run is stopping): give up with the error we have.
        throw err;
      }
      waitedMs += waitMs;
    }
  }
}
