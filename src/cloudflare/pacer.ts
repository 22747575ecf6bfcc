/**
 * One sliding window shared by every request of a run, so that dnsctl spends the account's budget
 * (1200 requests per 5 minutes) as fast as the server allows and no faster: a first burst of
 * `limit`, then each slot again as soon as it leaves the window — never more than `limit` in any
 * `window`. The server has the last word: a 429 pauses everyone, and a `Ratelimit` header showing
 * fewer requests left than dnsctl's own count (another client spends the same budget) takes
 * those slots until the server's window resets.
 */

import { sleep as sleepFor } from './sleep.js';

export interface Pacer {
  /** Resolves when one more request may be sent; rejects (timer cleared) when `signal` aborts. */
  take(signal?: AbortSignal): Promise<void>;
  /** A 429 answered: nobody sends anything for this long. */
  onRateLimited(retryAfterMs: number): void;
  /** Called with every answer's headers: reads the `Ratelimit` header. */
  observe(headers: Headers): void;
}

/** What a held request waits for, told to `onWait` once per stretch of waiting. */
export interface PacerWait {
  /** How long from now the first held request may go. */
  waitMs: number;
  /** `budget`: the window is full; `rate-limited`: Cloudflare answered 429. */
  reason: 'budget' | 'rate-limited';
  limit: number;
  windowMs: number;
}

export interface PacerOptions {
  /** Requests per window (default 1200). */
  limit?: number;
  /** The window, in ms (default 300 s). */
  windowMs?: number;
  /** Older spelling: `capacity` requests, refilled at `refillPerSecond` (window = capacity / refill). */
  capacity?: number;
  refillPerSecond?: number;
  /**
   * A request whose answer never came (connection lost) is counted as sent this long after it was
   * let through; until then its slot stays taken.
   */
  unansweredMs?: number;
  onWait?: (wait: PacerWait) => void;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Cloudflare's account budget: 1200 requests per 300 s. */
export const DEFAULT_PACING = { limit: 1200, windowMs: 300_000 } as const;

/**
 * Our answers come a little after the server counted the request: a server count up to this much
 * older than ours is not taken for another client's use.
 */
const SKEW_MS = 1000;

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

interface Slot {
  /** When the request was let through. */
  takenAt: number;
  /** When its answer came (null: not yet). The server counted it no later than that. */
  answeredAt: number | null;
}

export function createPacer(options: PacerOptions = {}): Pacer {
  const limit = options.limit ?? options.capacity ?? DEFAULT_PACING.limit;
  const windowMs =
    options.windowMs ?? (options.capacity !== undefined && options.refillPerSecond ? (options.capacity / options.refillPerSecond) * 1000 : DEFAULT_PACING.windowMs);
  const unansweredMs = options.unansweredMs ?? 60_000;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepFor;
  const onWait = options.onWait;

  /**
   * Our requests still in the window, oldest first. A slot counts from its answer (the server saw
   * the request before that), so a slow request never frees its slot early. Answers are matched
   * to slots oldest first: the k-th answer comes no earlier than the k-th request reached the
   * server, so the window never runs ahead of the server's.
   */
  let slots: Slot[] = [];
  let head = 0;
  /** Index of the oldest slot not yet answered. */
  let firstUnanswered = 0;
  /** Expiry times of slots another client used (from a `Ratelimit` header). */
  let foreign: number[] = [];
  /** After a 429: no request before this time. */
  let pausedUntil = -Infinity;
  /** The end of the wait last told to onWait (one call per stretch of waiting). */
  let announcedUntil = -Infinity;

  /** When this slot leaves the window; an unanswered one not before a window from now. */
  function expiry(slot: Slot, at: number): number {
    if (slot.answeredAt !== null) return slot.answeredAt + windowMs;
    return Math.min(at, slot.takenAt + unansweredMs) + windowMs;
  }

  /** Drops slots the server cannot count any more either; returns the index of the first one still in our window. */
  function prune(at: number): number {
    while (head < slots.length && expiry(slots[head]!, at) <= at - SKEW_MS) head += 1;
    if (firstUnanswered < head) firstUnanswered = head;
    if (head > 1024 && head * 2 > slots.length) {
      slots = slots.slice(head);
      firstUnanswered -= head;
      head = 0;
    }
    if (foreign.length > 0) foreign = foreign.filter((end) => end > at);
    let live = head;
    while (live < slots.length && expiry(slots[live]!, at) <= at) live += 1;
    return live;
  }

  /** ms until one more request fits in the window (0: now). */
  function msUntilRoom(at: number, live: number): number {
    const used = slots.length - live + foreign.length;
    if (used < limit) return 0;
    const expiries = foreign.slice();
    for (let i = live; i < slots.length; i++) expiries.push(expiry(slots[i]!, at));
    expiries.sort((a, b) => a - b);
    return expiries[used - limit]! - at;
  }

  return {
    async take(signal) {
      // Waiters re-check after every sleep, so a pause or another client's use applies to them too.
      for (;;) {
        const at = now();
        const live = prune(at);
        const pausedMs = pausedUntil - at;
        const waitMs = Math.max(pausedMs, msUntilRoom(at, live));
        if (waitMs <= 0) {
          slots.push({ takenAt: at, answeredAt: null });
          return;
        }
        if (onWait && at + waitMs > announcedUntil && at >= announcedUntil) {
          onWait({ waitMs, reason: pausedMs >= waitMs ? 'rate-limited' : 'budget', limit, windowMs });
        }
        announcedUntil = Math.max(announcedUntil, at + waitMs);
        await sleep(Math.ceil(waitMs), signal);
      }
    },

    onRateLimited(retryAfterMs) {
      pausedUntil = Math.max(pausedUntil, now() + retryAfterMs);
    },

    observe(headers) {
      const at = now();
      if (firstUnanswered < slots.length) {
        slots[firstUnanswered]!.answeredAt = at;
        firstUnanswered += 1;
      }
      const info = parseRatelimit(headers.get('ratelimit'));
      if (!info) return;
      prune(at);
      // What the server can still count of ours: the slots in the window, and those that left it
      // less than SKEW_MS ago (prune keeps them).
      const ours = slots.length - head;
      const othersUse = limit - info.remaining - ours - foreign.length;
      for (let i = 0; i < othersUse; i++) foreign.push(at + info.resetSeconds * 1000);
    },
  };
}
