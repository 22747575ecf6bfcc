/** Shared test doubles for the Cloudflare client tests: a fake clock, a log capture, secrets. */
import { Writable } from 'node:stream';
import type { Pacer } from '../../../src/cloudflare/pacer.js';
import { createLogger, type Logger } from '../../../src/log.js';

/** Values that must never appear in an error message or a log line. */
export const TOKEN = 'tok_SECRET_4f9a8b7c6d5e';
export const API_KEY = 'key_SECRET_0123456789abcdef';
export const TSIG_SECRET = 'tsig_SECRET_caffee0ddba11';
export const SECRETS = [TOKEN, API_KEY, TSIG_SECRET];

export const ACCOUNT = '01a7362d577a6c3019a474fd6f485823';
export const BASE_URL = 'https://api.cloudflare.com/client/v4';

/** Asserts that no secret appears in the text (an error message, a log). */
export function expectNoSecret(text: string): void {
  for (const secret of SECRETS) {
    if (text.includes(secret)) throw new Error(`a secret leaked into: ${text}`);
  }
}

/** Runs `fn`, expects it to reject, checks the error's message holds no secret, and returns the error. */
export async function rejection(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof Error)) throw new Error(`rejected with a non-Error: ${String(err)}`);
    expectNoSecret(err.message);
    expectNoSecret(JSON.stringify(err));
    return err;
  }
  throw new Error('expected a rejection');
}

export interface LogCapture {
  logger: Logger;
  /** Parsed JSON log lines. */
  lines(): Array<Record<string, unknown>>;
  text(): string;
}

export function captureLogs(): LogCapture {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const logger = createLogger('debug', stream);
  const text = () => chunks.join('');
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Records the waits asked for, and returns at once. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms) => {
      waits.push(ms);
    },
  };
}

const flushMicrotasks = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A manual clock: sleeps end only when run() moves time past them, earliest first. */
export class FakeClock {
  private time = 0;
  private timers: Array<{ at: number; resolve: () => void }> = [];

  readonly now = (): number => this.time;

  readonly sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      this.timers.push({ at: this.time + ms, resolve });
    });

  /** Moves time forward timer by timer until nothing is asleep any more. */
  async run(): Promise<void> {
    await flushMicrotasks();
    while (this.timers.length > 0) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers.shift()!;
      this.time = Math.max(this.time, next.at);
      next.resolve();
      await flushMicrotasks();
    }
  }

  advance(ms: number): void {
    this.time += ms;
  }
}

/**
 * A pacer that lets `takes` requests through at once, then holds the next one while the run
 * stops (`stop` aborts), as the real pacer does when its wait is cut short.
 */
export function pacerStoppingAfter(takes: number, stop: AbortController): Pacer {
  let left = takes;
  return {
    take: async (signal) => {
      if (left-- > 0) return;
      stop.abort();
      throw signal?.reason ?? new Error('held without a stop signal');
    },
    onRateLimited: () => {},
    observe: () => {},
  };
}
