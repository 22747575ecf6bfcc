import { describe, expect, it, vi } from 'vitest';
import { createCloudflareClient, type CloudflareClientOptions } from '../../../src/cloudflare/client.js';
import { createPacer } from '../../../src/cloudflare/pacer.js';
import { sleep } from '../../../src/cloudflare/sleep.js';
import type { Transport } from '../../../src/cloudflare/transport.js';
import { ApiError, NotSentError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { ACCOUNT, BASE_URL, TOKEN, pacerStoppingAfter } from './helpers.js';

const PATH = `/accounts/${ACCOUNT}/secondary_dns/tsigs`;

function answering(status: number, count: { sent: number }): Transport {
  return async () => {
    count.sent += 1;
    const success = status < 300;
    return {
      status,
      headers: new Headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ success, errors: success ? [] : [{ code: 1000, message: 'boom' }], messages: [], result: success ? [] : null }),
    };
  };
}

/** A client on an in-memory transport; each test sets what it is about. */
function clientWith(options: Omit<CloudflareClientOptions, 'baseUrl' | 'credentials' | 'logger'>) {
  return createCloudflareClient({ baseUrl: BASE_URL, credentials: { kind: 'token', token: TOKEN }, logger: silentLogger, ...options });
}

describe('stopping a run (SIGINT/SIGTERM)', () => {
  it('sleep clears its timer and rejects when the signal aborts', async () => {
    vi.useFakeTimers();
    try {
      const controller = new AbortController();
      const waiting = sleep(60_000, controller.signal);
      expect(vi.getTimerCount()).toBe(1);
      controller.abort('stop');
      await expect(waiting).rejects.toBe('stop');
      // Rejected without the clock moving, and no timer left to keep the process alive.
      expect(vi.getTimerCount()).toBe(0);
      await expect(sleep(10, AbortSignal.abort('already'))).rejects.toBe('already');
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a request held by the pacer is not sent once the run stops', async () => {
    const count = { sent: 0 };
    const stop = new AbortController();
    let waits = 0;
    // The run stops while the second request waits for the pacer (~100 s for the next token).
    const pacerSleep = (ms: number, signal?: AbortSignal) => {
      waits += 1;
      stop.abort();
      return sleep(ms, signal);
    };
    const client = clientWith({
      transport: answering(200, count),
      pacer: createPacer({ capacity: 1, refillPerSecond: 0.01, sleep: pacerSleep }),
      stop: stop.signal,
    });
    await client.request('GET', PATH);
    expect(waits).toBe(0);
    const err = await client.request('GET', PATH).catch((e: unknown) => e);
    expect(waits).toBe(1);
    expect(err).toBeInstanceOf(NotSentError);
    expect((err as NotSentError).message).toBe('GET tsigs: not sent, the run is stopping');
    expect(count.sent).toBe(1);
  });

  it('a request that needs no wait is still sent after the stop (operations in flight finish)', async () => {
    const count = { sent: 0 };
    const client = clientWith({
      transport: answering(200, count),
      pacer: createPacer(),
      stop: AbortSignal.abort(),
    });
    await client.request('GET', PATH);
    expect(count.sent).toBe(1);
  });

  it('a retry wait cut short by the stop gives up with the last error', async () => {
    const count = { sent: 0 };
    const stop = new AbortController();
    const retryWaits: number[] = [];
    // The run stops once the first retry wait (60 s) has begun.
    const retrySleep = (ms: number, signal?: AbortSignal) => {
      retryWaits.push(ms);
      stop.abort();
      return sleep(ms, signal);
    };
    const client = clientWith({
      transport: answering(500, count),
      pacer: null,
      retry: { maxRetries: 5, baseDelayMs: 60_000, maxDelayMs: 60_000, random: () => 1, sleep: retrySleep },
      stop: stop.signal,
    });
    const err = await client.request('GET', PATH).catch((e: unknown) => e);
    expect(retryWaits).toEqual([60_000]);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(500);
    expect(count.sent).toBe(1);
  });

  it('a retry held by the pacer when the run stops ends with the error of the attempt that was sent', async () => {
    const count = { sent: 0 };
    const stop = new AbortController();
    const client = clientWith({
      transport: answering(500, count),
      pacer: pacerStoppingAfter(1, stop),
      retry: { sleep: async () => {} },
      stop: stop.signal,
    });
    const err = await client.request('GET', PATH).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(500);
    expect(count.sent).toBe(1);
  });
});
