/**
 * The apply lock beside the state file: atomic create, holder named when busy, stale takeover on
 * this host only, waiting up to --lock-timeout. Time is a fake clock advanced by the injected
 * sleep: the tests count polls, never wall time.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InterruptedError, LockError } from '../../../src/errors.js';
import { acquireLock, lockPathFor, type LockHolder, type LockOptions } from '../../../src/report/lock.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function statePath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dnsctl-lock-'));
  dirs.push(dir);
  return join(dir, 'config.state.json');
}

/** A fake clock: `sleep` advances it and runs `onSleep` (the n-th call, from 1). */
function fakeTime(onSleep: (n: number) => void = () => {}) {
  let now = Date.parse('2026-03-01T12:00:00Z');
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
      onSleep(sleeps.length);
    },
  };
}

function options(extra: Partial<LockOptions> = {}): LockOptions & { warnings: string[] } {
  const warnings: string[] = [];
  return { timeoutMs: 0, warn: (m) => warnings.push(m), warnings, ...extra };
}

const DEAD_PID = 2_147_483_647; // above any Linux pid_max: no such process

function writeHolder(path: string, holder: Partial<LockHolder>): void {
  writeFileSync(
    path,
    JSON.stringify({ pid: 4242, host: hostname(), started_at: '2026-03-01T11:00:00.000Z', command: 'dnsctl apply', nonce: 'n0', ...holder }),
  );
}

describe('apply lock', () => {
  it('holds pid, host and start time; release removes it and leaves nothing else behind', async () => {
    const state = statePath();
    const lock = await acquireLock(state, options());
    expect(lock.path).toBe(`${state}.lock`);
    const holder = JSON.parse(readFileSync(lock.path, 'utf8')) as LockHolder;
    expect(holder).toMatchObject({ pid: process.pid, host: hostname(), command: 'dnsctl apply' });
    expect(Number.isNaN(Date.parse(holder.started_at))).toBe(false);
    lock.release();
    lock.release(); // idempotent
    expect(readdirSync(join(state, '..'))).toEqual([]);
  });

  it('a second run fails at once (timeout 0) naming the holder, the lock path and how to remove a stale lock', async () => {
    const state = statePath();
    writeHolder(lockPathFor(state), { pid: 4242, host: 'ci-runner-7', started_at: '2026-03-01T11:00:00.000Z' });
    const time = fakeTime();
    const error = await acquireLock(state, options({ ...time })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockError);
    const message = (error as LockError).message;
    for (const part of ['pid 4242', 'ci-runner-7', '2026-03-01T11:00:00.000Z', `${state}.lock`, `remove ${state}.lock`]) {
      expect(message).toContain(part);
    }
    expect(time.sleeps).toEqual([]);
    // The other host's lock is untouched: its processes cannot be seen from here.
    expect(JSON.parse(readFileSync(lockPathFor(state), 'utf8'))).toMatchObject({ pid: 4242, host: 'ci-runner-7' });
  });

  it('two runs racing for one state file: exactly one gets it', async () => {
    const state = statePath();
    const outcomes = await Promise.allSettled([acquireLock(state, options()), acquireLock(state, options({ pid: process.ppid }))]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBeInstanceOf(LockError);
  });

  it('a lock whose process is gone on this host is stale: taken over with a warning', async () => {
    const state = statePath();
    writeHolder(lockPathFor(state), { pid: DEAD_PID, started_at: '2026-03-01T09:30:00.000Z' });
    const opts = options();
    const lock = await acquireLock(state, opts);
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({ pid: process.pid });
    expect(opts.warnings).toHaveLength(1);
    expect(opts.warnings[0]).toMatch(/warning: took over a stale lock .*config\.state\.json\.lock/);
    expect(opts.warnings[0]).toContain(`pid ${DEAD_PID}`);
    lock.release();
    expect(readdirSync(join(state, '..'))).toEqual([]);
  });

  it('a lock with this process\'s own pid that it does not hold is stale (an earlier pid 1 in a container)', async () => {
    const state = statePath();
    writeHolder(lockPathFor(state), { pid: process.pid, nonce: 'from-an-earlier-process' });
    const opts = options();
    const lock = await acquireLock(state, opts);
    expect(opts.warnings).toHaveLength(1);
    expect(opts.warnings[0]).toContain(`took over a stale lock`);
    // One this process does hold is not.
    const error = await acquireLock(state, options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockError);
    lock.release();
  });

  it('a lock whose process still runs on this host is not stale', async () => {
    const state = statePath();
    writeHolder(lockPathFor(state), { pid: process.ppid });
    const error = await acquireLock(state, options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockError);
    expect((error as Error).message).toContain(`pid ${process.ppid} on host ${hostname()}`);
  });

  it('--lock-timeout: polls until the holder releases, then takes the lock', async () => {
    const state = statePath();
    const first = await acquireLock(state, options({ pid: process.ppid }));
    // The holder finishes during the third wait.
    const time = fakeTime((n) => {
      if (n === 3) first.release();
    });
    const opts = options({ timeoutMs: 10_000, pollMs: 250, ...time });
    const second = await acquireLock(state, opts);
    expect(time.sleeps).toEqual([250, 250, 250]);
    expect(opts.warnings).toHaveLength(1);
    expect(opts.warnings[0]).toMatch(/^dnsctl: waiting up to 10 s for dnsctl apply \(pid \d+ on host .*\) to release /);
    expect(JSON.parse(readFileSync(second.path, 'utf8'))).toMatchObject({ pid: process.pid, nonce: second.holder.nonce });
    second.release();
  });

  it('--lock-timeout: gives up once the time is over, naming the holder', async () => {
    const state = statePath();
    const first = await acquireLock(state, options({ pid: process.ppid }));
    const time = fakeTime();
    const error = await acquireLock(state, options({ timeoutMs: 1_000, pollMs: 300, ...time })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockError);
    expect((error as Error).message).toContain('after waiting 1 s');
    expect((error as Error).message).toContain(`pid ${process.ppid}`);
    // 300 + 300 + 300 + the last 100: exactly the timeout, then one final look.
    expect(time.sleeps).toEqual([300, 300, 300, 100]);
    expect(existsSync(first.path)).toBe(true);
    first.release();
  });

  it('an interrupt while waiting stops the wait', async () => {
    const state = statePath();
    const first = await acquireLock(state, options({ pid: process.ppid }));
    const controller = new AbortController();
    const sleep = async (_ms: number, signal?: AbortSignal) => {
      controller.abort('SIGTERM');
      throw signal?.reason;
    };
    const error = await acquireLock(state, options({ timeoutMs: 60_000, signal: controller.signal, sleep })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).exitCode).toBe(143);
    first.release();
  });

  it('release leaves a lock that is no longer its own', async () => {
    const state = statePath();
    const lock = await acquireLock(state, options());
    writeHolder(lock.path, { pid: 1, nonce: 'someone-else' });
    lock.release();
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({ nonce: 'someone-else' });
  });
});
