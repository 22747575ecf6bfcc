import { describe, expect, it } from 'vitest';
import { DEFAULT_PACING, createPacer, parseRatelimit, type Pacer, type PacerOptions, type PacerWait } from '../../../src/cloudflare/pacer.js';
import { FakeClock } from './helpers.js';

/** Starts `count` takes at once and returns the fake time at which each one was let through. */
async function grantTimes(pacer: Pacer, clock: FakeClock, count: number): Promise<number[]> {
  const times: number[] = [];
  const takes = Array.from({ length: count }, () => pacer.take().then(() => times.push(clock.now())));
  await clock.run();
  await Promise.all(takes);
  return times;
}

describe('parseRatelimit', () => {
  it('reads remaining and reset from the structured header', () => {
    expect(parseRatelimit('"default";r=50;t=30')).toEqual({ remaining: 50, resetSeconds: 30 });
    expect(parseRatelimit('"default"; r=0; t=12')).toEqual({ remaining: 0, resetSeconds: 12 });
  });

  it('takes the tightest of several policies', () => {
    expect(parseRatelimit('"burst";r=100;t=1, "default";r=7;t=200')).toEqual({ remaining: 7, resetSeconds: 200 });
  });

  it('ignores what it cannot read', () => {
    expect(parseRatelimit(null)).toBeNull();
    expect(parseRatelimit('')).toBeNull();
    expect(parseRatelimit('"default";t=30')).toBeNull();
    expect(parseRatelimit('"default";r=abc;t=30')).toBeNull();
    expect(parseRatelimit('"default";r=-1;t=30')).toBeNull();
  });
});

/** A pacer on a fake clock whose every request is answered `latencyMs` after it was let through. */
function answered(options: PacerOptions & { latencyMs?: number; ratelimit?: (i: number) => string }) {
  const clock = new FakeClock();
  const waits: PacerWait[] = [];
  const pacer = createPacer({ ...options, now: clock.now, sleep: clock.sleep, onWait: (w) => waits.push(w) });
  let answers = 0;
  /** Takes, then answers after the latency; resolves with the time the take was let through. */
  const request = async (): Promise<number> => {
    await pacer.take();
    const grantedAt = clock.now();
    await clock.sleep(options.latencyMs ?? 0);
    const i = answers++;
    pacer.observe(new Headers(options.ratelimit ? { ratelimit: options.ratelimit(i) } : {}));
    return grantedAt;
  };
  const requests = async (count: number): Promise<number[]> => {
    const all = Array.from({ length: count }, request);
    await clock.run();
    return Promise.all(all);
  };
  return { clock, pacer, waits, request, requests };
}

describe('createPacer', () => {
  it('lets a burst of the limit through at once, then each slot again as soon as its request leaves the window', async () => {
    const { requests } = answered({ limit: 3, windowMs: 1500, latencyMs: 10 });
    // A slot counts from its answer (10 ms after the take): the server saw the request no later.
    expect(await requests(7)).toEqual([0, 0, 0, 1510, 1510, 1510, 3020]);
  });

  it('re-bursts slot by slot: a slot answered later frees later', async () => {
    const clock = new FakeClock();
    const pacer = createPacer({ limit: 2, windowMs: 1000, now: clock.now, sleep: clock.sleep });
    await pacer.take();
    await pacer.take();
    clock.advance(5);
    pacer.observe(new Headers());
    clock.advance(95);
    pacer.observe(new Headers());
    const granted: number[] = [];
    const takes = [pacer.take(), pacer.take()].map((t) => t.then(() => granted.push(clock.now())));
    await clock.run();
    await Promise.all(takes);
    expect(granted).toEqual([1005, 1100]);
  });

  it('keeps the older spelling: capacity per capacity / refillPerSecond seconds', async () => {
    const { requests } = answered({ capacity: 3, refillPerSecond: 2 });
    expect(await requests(6)).toEqual([0, 0, 0, 1500, 1500, 1500]);
  });

  it("defaults to Cloudflare's budget: a short run (up to 1200) goes all at once", async () => {
    expect(DEFAULT_PACING).toEqual({ limit: 1200, windowMs: 300_000 });
    const { requests } = answered({ latencyMs: 20 });
    expect((await requests(1200)).every((t) => t === 0)).toBe(true);
  });

  it('spends the whole budget of a long run, and never more than the limit in any window', async () => {
    const { clock, pacer } = answered({});
    const times: number[] = [];
    // Four workers (the run's concurrency) send as fast as the pacer lets them for 900 s; 20 ms each.
    const worker = async () => {
      while (clock.now() < 900_000) {
        await pacer.take();
        times.push(clock.now());
        await clock.sleep(20);
        pacer.observe(new Headers());
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    await clock.run();
    await Promise.all(workers);
    // Take i and take i + 1200 are at least a window apart ...
    const crowded = times.findIndex((t, i) => i + 1200 < times.length && times[i + 1200]! - t < 300_000);
    expect(crowded).toBe(-1);
    // ... and each window's budget is spent as soon as it frees: a burst of 1200 at 0, 300 and 600 s
    // (1200 requests at 4 × 20 ms take 6 s to go out), then the workers' last takes after 900 s.
    expect(times.filter((t) => t < 900_000)).toHaveLength(3 * 1200);
    expect(times[1200]! - times[0]!).toBeLessThan(300_000 + 100);
    expect(times[2400]! - times[1200]!).toBeLessThan(300_000 + 100);
  });

  it('holds the slot of a request that was never answered for unansweredMs', async () => {
    const clock = new FakeClock();
    const pacer = createPacer({ limit: 1, windowMs: 1000, unansweredMs: 5000, now: clock.now, sleep: clock.sleep });
    await pacer.take(); // its connection is lost: no observe
    const granted = pacer.take().then(() => clock.now());
    await clock.run();
    expect(await granted).toBe(6000);
  });

  it('pauses everyone after a 429, even with room in the window', async () => {
    const { pacer, requests, waits } = answered({ limit: 100, windowMs: 1000 });
    pacer.onRateLimited(3000);
    pacer.onRateLimited(1000); // a shorter pause does not shorten the longer one
    expect(await requests(3)).toEqual([3000, 3000, 3000]);
    expect(waits).toEqual([{ waitMs: 3000, reason: 'rate-limited', limit: 100, windowMs: 1000 }]);
  });

  it('applies a pause to takers already waiting', async () => {
    const clock = new FakeClock();
    const pacer = createPacer({ limit: 1, windowMs: 1000, now: clock.now, sleep: clock.sleep });
    await pacer.take();
    pacer.observe(new Headers());
    const granted = pacer.take().then(() => clock.now());
    pacer.onRateLimited(5000);
    await clock.run();
    expect(await granted).toBe(5000);
  });

  it("counts another client's use of the budget from the Ratelimit header until the server's reset", async () => {
    const clock = new FakeClock();
    const pacer = createPacer({ limit: 100, windowMs: 60_000, now: clock.now, sleep: clock.sleep });
    await pacer.take();
    pacer.observe(new Headers({ ratelimit: '"default";r=2;t=30' })); // 98 used: 1 ours, 97 someone else's
    const granted: number[] = [];
    const takes = Array.from({ length: 4 }, () => pacer.take().then(() => granted.push(clock.now())));
    await clock.run();
    await Promise.all(takes);
    expect(granted).toEqual([0, 0, 30_000, 30_000]);
  });

  it('does not mistake its own requests in the Ratelimit header for another client', async () => {
    // The server counts exactly our requests: r = what is left of 3.
    const { requests } = answered({ limit: 3, windowMs: 1000, latencyMs: 10, ratelimit: (i) => `"default";r=${2 - (i % 3)};t=1` });
    expect(await requests(6)).toEqual([0, 0, 0, 1010, 1010, 1010]);
  });

  it('ignores a Ratelimit header that shows more than its own count leaves', async () => {
    const { requests } = answered({ limit: 2, windowMs: 2000, ratelimit: () => '"default";r=1000;t=300' });
    expect(await requests(3)).toEqual([0, 0, 2000]);
  });

  it('tells onWait once per stretch of waiting, with how long and why', async () => {
    const { requests, waits } = answered({ limit: 2, windowMs: 10_000 });
    expect(await requests(6)).toEqual([0, 0, 10_000, 10_000, 20_000, 20_000]);
    expect(waits).toEqual([
      { waitMs: 10_000, reason: 'budget', limit: 2, windowMs: 10_000 },
      { waitMs: 10_000, reason: 'budget', limit: 2, windowMs: 10_000 },
    ]);
  });
});
