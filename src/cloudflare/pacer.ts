/**
 * One token bucket shared by every request of a run, so that dnsctl stays inside the account's
 * budget (1200 requests per 5 minutes): a short run goes at full concurrency, a long one settles
 * at the refill rate, and a sliding window guarantees no more than the budget in any 5 minutes. The server has the last word: a 429 pauses everyone, and a `Ratelimit`
 * header that shows fewer requests left than the bucket holds lowers the bucket to match.
 */

import { sleep as sleepFor } from './sleep.js';

export interface Pacer {
  /** Resolves when one more request may be sent; rejects (timer cleared) when `signal` aborts. */
  take(signal?: AbortSignal): Promise<void>;
  /** A 429 answered: nobody sends anything for this long. */
  onRateLimited(retryAfterMs: number): void;
  /** Reads a response's `Ratelimit` header. */
  observe(headers: Headers): void;
}

export interface PacerOptions {
  capacity?: number;
  refillPerSecond?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Cloudflare's account budget: 1200 requests per 300 s. */
export const DEFAULT_PACING = { capacity: 1200, refillPerSecond: 1200 / 300 } as const;

export interface RatelimitInfo {
  /** Requests left in the server's current window. */
  remaining: number;
  /** Seconds until that window resets. */
  resetSeconds: number;
}

/**
 * Parses `Ratelimit: "default";r=50;t=30` (IETF draft structured field). With several policies
 * listed, the one with the fewest requests left counts. Null when absent or unreadable.
 */
export function parseRatelimit(value: string | null): RatelimitInfo | null {
  if (!value) return null;
  let tightest: RatelimitInfo | null = null;
  for (const item of value.split(',')) {
    const params = new Map<string, string>();
    for (const part of item.split(';').slice(1)) {
      const [key, raw] = part.split('=', 2);
      if (key && raw !== undefined) params.set(key.trim(), raw.trim());
    }
    const remaining = Number(params.get('r'));
    const resetSeconds = Number(params.get('t') ?? 0);
    if (!params.has('r') || !Number.isInteger(remaining) || remaining < 0) continue;
    if (!Number.isFinite(resetSeconds) || resetSeconds < 0) continue;
    if (!tightest || remaining < tightest.remaining) tightest = { remaining, resetSeconds };
  }
  return tightest;
}


export function createPacer(options: PacerOptions = {}): Pacer {
  const capacity = options.capacity ?? DEFAULT_PACING.capacity;
  const refillPerSecond = options.refillPerSecond ?? DEFAULT_PACING.refillPerSecond;
  const refillPerMs = refillPerSecond / 1000;
  const windowMs = (capacity / refillPerSecond) * 1000;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepFor;

  let tokens = capacity;
  let refilledAt = now();
  /** After a 429: no request before this time. */
  let pausedUntil = -Infinity;
  /** After a low `Ratelimit`: the bucket gains nothing before the server's window resets. */
  let refillHeldUntil = -Infinity;
  /**
   * The times of the last `capacity` takes: a ring, grown as takes come (`--rate` sets capacity),
   * where `oldest` is the next slot to overwrite. A full bucket plus its refill would let ~2 ×
   * capacity through in the first window: a take also waits until the take `capacity` before it
   * is a whole window old.
   */
  const recent: number[] = [];
  let oldest = 0;

  function refill(at: number): void {
    const from = Math.max(refilledAt, refillHeldUntil);
    if (at > from) tokens = Math.min(capacity, tokens + (at - from) * refillPerMs);
    refilledAt = Math.max(refilledAt, at);
  }

  function msUntilOneToken(at: number): number {
    if (tokens >= 1 - 1e-9) return 0;
    const heldFor = Math.max(0, refillHeldUntil - at);
    return heldFor + (1 - tokens) / refillPerMs;
  }

  return {
    async take(signal) {
      // Waiters re-check after every sleep, so a pause or a lowered bucket applies to them too.
      for (;;) {
        const at = now();
        refill(at);
        const windowFreeAt = recent.length < capacity ? -Infinity : recent[oldest]! + windowMs;
        const waitMs = Math.max(pausedUntil - at, msUntilOneToken(at), windowFreeAt - at);
        if (waitMs <= 0) {
          tokens -= 1;
          recent[oldest] = at;
          oldest = (oldest + 1) % capacity;
          return;
        }
        await sleep(Math.ceil(waitMs), signal);
      }
    },

    onRateLimited(retryAfterMs) {
      pausedUntil = Math.max(pausedUntil, now() + retryAfterMs);
    },

    observe(headers) {
      const info = parseRatelimit(headers.get('ratelimit'));
      if (!info) return;
      const at = now();
      refill(at);
      if (info.remaining >= tokens) return;
      tokens = info.remaining;
      refillHeldUntil = Math.max(refillHeldUntil, at + info.resetSeconds * 1000);
    },
  };
}
