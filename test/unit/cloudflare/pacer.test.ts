import { describe, expect, it } from 'vitest';
import { DEFAULT_PACING, createPacer, parseRatelimit, type Pacer } from '../../../src/cloudflare/pacer.js';
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

describe('createPacer', () => {
  it('lets a burst up to the capacity through at once, then no more until the window has passed', async () => {
    const clock = new FakeClock();
    const pacer = createPacer({ capacity: 3, refillPerSecond: 2, now: clock.now, sleep: clock.sleep });
    // window: 3 / 2 per second = 1.5 s
    expect(await grantTimes(pacer, clock, 6)).toEqual([0, 0, 0, 1500, 1500, 1500]);
  });

  it("defaults to Cloudflare's budget: a short run (up to 1200) goes all at once", async () => {
    const clock = new FakeClock();
    const pacer = createPacer({ now: clock.now, sleep: clock.sleep });
    expect(DEFAULT_PACING).toEqual({ capacity: 1200, refillPerSecond: 4 });
    expect((await grantTimes(pacer, clock, 1200)).every((t) => t === 0)).toBe(true);
  });

  it('never lets more than the capacity through in any 300 s window of a long run', async () => {
    const clock = new FakeClock();
    const pacer = createPacer({ now: clock.now, sleep: clock.sleep });
    const times: number[] = [];
    // Four workers (the run's concurrency) send as fast as the pacer lets them for 900 s.
    const worker = async () => {
      while (clock.now() < 900_000) {
        await pacer.take();
        times.push(clock.now());
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    await clock.run();
    await Promise.all(workers);
    // Every window of 300 s holds at most 1200 takes: take i and take i + 1200 are 300 s apart.
    const crowded = times.findIndex((t, i) => i + 1200 < times.length && times[i + 1200]! - t < 300_000);
    expect(crowded).toBe(-1);
    expect(times.length).toBeGreaterThanOrEqual(3600); // ... and the budget is used
  });

  it('refills while idle, never beyond the capacity', async () => {
    const clock = new FakeClock();
    const pacer = createPacer({ capacity: 2, refillPerSecond: 1, now: clock.now, sleep: clock.sleep });
    await grantTimes(pacer, clock, 2);
    clock.advance(60_000);
    const start = clock.now();
    expect((await grantTimes(pacer, clock, 3)).map((t) => t - start)).toEqual([0, 0, 2000]);
  });

  it('pauses everyone after a 429, even with tokens left', async () => {
    const clock = new FakeClock();
    const pacer = createPacer({ capacity: 100, refillPerSecond: 1, now: clock.now, sleep: clock.sleep });
    pacer.onRateLimited(3000);
    pacer.onRateLimited(1000); // a shorter pause does not shorten the longer one
    expect(await grantTimes(pacer, clock, 3)).toEqual([3000, 3000, 3000]);
  });

  it('applies a pause to takers already waiting', async () => {
    const clock = new FakeClock();
    const pacer = createPacer({ capacity: 1, refillPerSecond: 1, now: clock.now, sleep: clock.sleep });
    await pacer.take();
    const granted = pacer.take().then(() => clock.now());
    pacer.onRateLimited(5000);
    await clock.run();
    expect(await granted).toBe(5000);
  });

  it('lowers the bucket to what the Ratelimit header says is left, and holds it until the reset', async () => {
    const clock = new FakeClock();
    const pacer = createPacer({ capacity: 100, refillPerSecond: 2, now: clock.now, sleep: clock.sleep });
    pacer.observe(new Headers({ ratelimit: '"default";r=2;t=30' }));
    expect(await grantTimes(pacer, clock, 4)).toEqual([0, 0, 30_500, 31_000]);
  });

  it('ignores a Ratelimit header that shows more than the bucket holds', async () => {
    const clock = new FakeClock();
    const pacer = createPacer({ capacity: 2, refillPerSecond: 1, now: clock.now, sleep: clock.sleep });
    pacer.observe(new Headers({ ratelimit: '"default";r=1000;t=300' }));
    pacer.observe(new Headers());
    expect(await grantTimes(pacer, clock, 3)).toEqual([0, 0, 2000]);
  });
});
