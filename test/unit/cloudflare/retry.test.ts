import { describe, expect, it } from 'vitest';
import {
  isOutcomeUnknown,
  parseRetryAfter,
  retryPolicy,
  withRetry,
  type RetryContext,
} from '../../../src/cloudflare/retry.js';
import { ApiError, NetworkError, NotSentError } from '../../../src/errors.js';
import { captureLogs, recordingSleep } from './helpers.js';

const apiError = (status: number, retryAfterMs: number | null = null) =>
  new ApiError('X peers', status, [], `HTTP ${status}`, retryAfterMs);
const unknownOutcome = () => new NetworkError('X peers', 'connection reset (ECONNRESET)', true);
const refused = () => new NetworkError('X peers', 'connection refused (ECONNREFUSED)', false);

/** Fails with each given error in turn, then answers "ok"; counts the calls. */
function failingWith(...errors: Error[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    attempt: async () => {
      const err = errors[calls++];
      if (err) throw err;
      return 'ok';
    },
  };
}

function setup(method: string, options: Parameters<typeof retryPolicy>[0] = {}) {
  const { sleep, waits } = recordingSleep();
  const logs = captureLogs();
  const rateLimited: number[] = [];
  const context: RetryContext = {
    method,
    operation: `${method} peers`,
    logger: logs.logger,
    onRateLimited: (ms) => rateLimited.push(ms),
  };
  const policy = retryPolicy({ random: () => 0.5, sleep, ...options });
  return { waits, logs, rateLimited, context, policy };
}

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads retry-after-ms first, then seconds, then an HTTP date', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '1500', 'retry-after': '9' }), now)).toBe(1500);
    expect(parseRetryAfter(new Headers({ 'retry-after': '7' }), now)).toBe(7000);
    expect(parseRetryAfter(new Headers({ 'retry-after': '0.5' }), now)).toBe(500);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:42 GMT' }), now)).toBe(42_000);
  });

  it('gives 0 for a date in the past and null when absent or unreadable', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Tue, 31 Dec 2024 23:00:00 GMT' }), now)).toBe(0);
    expect(parseRetryAfter(new Headers(), now)).toBeNull();
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }), now)).toBeNull();
  });
});

describe('isOutcomeUnknown', () => {
  it('is true for a 5xx or a network failure after sending, false otherwise', () => {
    expect(isOutcomeUnknown(apiError(502))).toBe(true);
    expect(isOutcomeUnknown(unknownOutcome())).toBe(true);
    expect(isOutcomeUnknown(refused())).toBe(false);
    expect(isOutcomeUnknown(apiError(429))).toBe(false);
    expect(isOutcomeUnknown(apiError(400))).toBe(false);
    expect(isOutcomeUnknown(new Error('bug'))).toBe(false);
  });
});

describe('withRetry', () => {
  it('honours the server wait on a 429, tells the pacer, and logs the retry at warn', async () => {
    const { waits, logs, rateLimited, context, policy } = setup('GET');
    const attempts = failingWith(apiError(429, 3000));
    await expect(withRetry(attempts.attempt, context, policy)).resolves.toBe('ok');
    expect(waits).toEqual([3000]);
    expect(rateLimited).toEqual([3000]);
    const [line] = logs.lines();
    expect(line).toMatchObject({
      level: 40,
      method: 'GET',
      operation: 'GET peers',
      attempt: 1,
      maxAttempts: 5,
      reason: 'rate limited (HTTP 429)',
      waitMs: 3000,
    });
  });

  it('waits the configured default after a 429 without retry-after', async () => {
    const { waits, context, policy } = setup('GET', { rateLimitDelayMs: 5000 });
    await withRetry(failingWith(apiError(429)).attempt, context, policy);
    expect(waits).toEqual([5000]);
  });

  it('sends a POST again after a 429 or a refused connection: neither acted', async () => {
    const { waits, context, policy } = setup('POST');
    const attempts = failingWith(apiError(429, 1000), refused(), apiError(408));
    await expect(withRetry(attempts.attempt, context, policy)).resolves.toBe('ok');
    expect(attempts.calls).toBe(4);
    expect(waits).toHaveLength(3);
  });

  it('backs off exponentially with full jitter, capped, for 5xx and network failures', async () => {
    const { waits, context, policy } = setup('GET', { random: () => 0.999, maxRetries: 6 });
    const errors = [apiError(500), apiError(503), unknownOutcome(), refused(), apiError(502), apiError(504)];
    await expect(withRetry(failingWith(...errors).attempt, context, policy)).resolves.toBe('ok');
    expect(waits).toEqual([500, 999, 1998, 3996, 7992, 7992]);
  });

  it('draws the jitter from the whole range [0, ceiling)', async () => {
    const { waits, context, policy } = setup('GET', { random: () => 0 });
    await withRetry(failingWith(apiError(500), apiError(500)).attempt, context, policy);
    expect(waits).toEqual([0, 0]);
  });

  it('never retries other 4xx or unknown errors', async () => {
    for (const err of [apiError(400), apiError(401), apiError(403), apiError(404), new Error('bug')]) {
      const { waits, context, policy } = setup('GET');
      const attempts = failingWith(err);
      await expect(withRetry(attempts.attempt, context, policy)).rejects.toBe(err);
      expect(attempts.calls).toBe(1);
      expect(waits).toEqual([]);
    }
  });

  it('does not resend a POST whose outcome is unknown: the caller looks it up', async () => {
    for (const err of [unknownOutcome(), apiError(500), apiError(502)]) {
      const { waits, context, policy } = setup('POST');
      const attempts = failingWith(err);
      await expect(withRetry(attempts.attempt, context, policy)).rejects.toBe(err);
      expect(attempts.calls).toBe(1);
      expect(waits).toEqual([]);
    }
  });

  it('resends idempotent requests (PUT, DELETE) whose outcome is unknown', async () => {
    for (const method of ['PUT', 'DELETE']) {
      const { context, policy } = setup(method);
      const attempts = failingWith(unknownOutcome(), apiError(502));
      await expect(withRetry(attempts.attempt, context, policy)).resolves.toBe('ok');
      expect(attempts.calls).toBe(3);
    }
  });

  it('stops after maxRetries retries with the last error', async () => {
    const { waits, context, policy } = setup('GET', { maxRetries: 2 });
    const last = apiError(503);
    const attempts = failingWith(apiError(500), apiError(502), last, apiError(500));
    await expect(withRetry(attempts.attempt, context, policy)).rejects.toBe(last);
    expect(attempts.calls).toBe(3);
    expect(waits).toHaveLength(2);
  });

  it("waits out a 429 of up to 5 minutes (Cloudflare's lockout), beyond maxWaitMs", async () => {
    const { waits, rateLimited, context, policy } = setup('GET');
    const attempts = failingWith(apiError(500), apiError(429, 300_000));
    await expect(withRetry(attempts.attempt, context, policy)).resolves.toBe('ok');
    expect(waits).toEqual([250, 300_000]);
    expect(rateLimited).toEqual([300_000]);
  });

  it('stops when a rate-limit wait would bring the total past 310 s, but still tells the pacer', async () => {
    const { waits, rateLimited, context, policy } = setup('GET', { maxWaitMs: 10_000 });
    const tooLong = apiError(429, 305_000);
    await expect(withRetry(failingWith(apiError(429, 6000), tooLong).attempt, context, policy)).rejects.toMatchObject({
      status: 429,
      message: 'GET peers: rate limited by Cloudflare (HTTP 429), retry after 305 s, more than dnsctl waits (310 s in all); run again later',
    });
    expect(waits).toEqual([6000]);
    expect(rateLimited).toEqual([6000, 305_000]);
  });

  it('keeps maxWaitMs for every wait that is not a rate limit', async () => {
    const { waits, context, policy } = setup('GET');
    const unavailable = apiError(503, 200_000);
    await expect(withRetry(failingWith(unavailable).attempt, context, policy)).rejects.toBe(unavailable);
    expect(waits).toEqual([]);
  });

  it('ends a retry held back as the run stops with the error of the attempt that was sent', async () => {
    const { context, policy } = setup('GET');
    const sent = apiError(500);
    await expect(withRetry(failingWith(sent, new NotSentError('GET peers')).attempt, context, policy)).rejects.toBe(sent);
    const held = new NotSentError('GET peers');
    await expect(withRetry(failingWith(held).attempt, context, policy)).rejects.toBe(held);
  });

  it('sends nothing again once the run is aborted', async () => {
    const { waits, context, policy } = setup('GET');
    const controller = new AbortController();
    controller.abort();
    const attempts = failingWith(unknownOutcome());
    await expect(withRetry(attempts.attempt, { ...context, signal: controller.signal }, policy)).rejects.toBeInstanceOf(
      NetworkError,
    );
    expect(attempts.calls).toBe(1);
    expect(waits).toEqual([]);
  });
});

describe('withRetry: 409, x-should-retry and failures that cannot change', () => {
  const withHeader = (status: number, shouldRetry: boolean) => new ApiError('X peers', status, [], `HTTP ${status}`, null, false, shouldRetry);

  it('retries a 409 (Cloudflare\'s lock timeout) for any method, as the official SDKs do', async () => {
    for (const method of ['GET', 'POST', 'PUT']) {
      const { waits, context, policy } = setup(method);
      const attempts = failingWith(apiError(409));
      expect(await withRetry(attempts.attempt, context, policy)).toBe('ok');
      expect(attempts.calls).toBe(2);
      expect(waits).toHaveLength(1);
    }
  });

  it('x-should-retry: true retries an answer it would not; x-should-retry: false stops one it would', async () => {
    const yes = setup('GET');
    const retried = failingWith(withHeader(400, true));
    expect(await withRetry(retried.attempt, yes.context, yes.policy)).toBe('ok');
    expect(yes.logs.lines()).toContainEqual(expect.objectContaining({ reason: 'HTTP 400, x-should-retry: true' }));
    for (const status of [429, 500, 409]) {
      const no = setup('GET');
      const refusedRetry = withHeader(status, false);
      await expect(withRetry(failingWith(refusedRetry).attempt, no.context, no.policy)).rejects.toBe(refusedRetry);
      expect(no.waits).toEqual([]);
    }
  });

  it('x-should-retry: true still never resends a POST whose outcome is unknown', async () => {
    const { waits, context, policy } = setup('POST');
    const lost = withHeader(502, true);
    await expect(withRetry(failingWith(lost).attempt, context, policy)).rejects.toBe(lost);
    expect(waits).toEqual([]);
  });

  it('never retries a network failure marked as one that cannot change (unknown host, bad port)', async () => {
    const { waits, context, policy } = setup('GET');
    const permanent = new NetworkError('X peers', 'unknown host', false, false);
    await expect(withRetry(failingWith(permanent).attempt, context, policy)).rejects.toBe(permanent);
    expect(waits).toEqual([]);
  });
});

describe('withRetry: a 429 nobody will wait out', () => {
  it('does not make the pacer hold every other request for an hour', async () => {
    const { waits, rateLimited, context, policy } = setup('GET');
    await expect(withRetry(failingWith(apiError(429, 3_600_000)).attempt, context, policy)).rejects.toMatchObject({ status: 429 });
    expect(waits).toEqual([]);
    expect(rateLimited).toEqual([]);
  });
});
