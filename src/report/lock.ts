/**
 * One `dnsctl apply` at a time per state file: an exclusive lock file beside it (`<state>.lock`)
 * holding the holder's pid, host and start time. Two applies of one config started together
 * would otherwise both create every object.
 *
 * The lock is created complete or not at all: its JSON is written to a private temp file that
 * is then hard-linked to the lock path; link(2), like open(O_EXCL), fails when the path exists,
 * and a reader never sees a half-written lock. (Where a file system cannot hard-link, the lock is
 * created with open(O_EXCL) instead.)
 *
 * A lock whose process is gone on this host is stale and taken over with a warning. A lock of
 * another host is never judged stale: dnsctl cannot see that host's processes. The lock does not
 * span machines.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, lstatSync, openSync, readFileSync, realpathSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { sleep as defaultSleep } from '../cloudflare/sleep.js';
import { InterruptedError, LockError, errorMessage } from '../errors.js';
import { escapeText } from './escape.js';

/** How often a waiting apply looks at the lock again. */
export const LOCK_POLL_MS = 250;

export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the holder took the lock. */
  started_at: string;
  /** What holds it, for people: "dnsctl apply". */
  command: string;
  /** Random per lock: release removes the lock only if it is still this one. */
  nonce: string;
}

export interface LockOptions {
  /** How long to wait for the holder to finish; 0: fail at once. */
  timeoutMs: number;
  /** Stale takeovers and waiting are said here (stderr). */
  warn: (message: string) => void;
  /** Aborted by SIGINT/SIGTERM: stop waiting. */
  signal?: AbortSignal;
  pollMs?: number;
  /** Injected by tests: the clock and the wait between looks. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Whether a process of this host is running (tests inject it). */
  isAlive?: (pid: number) => boolean;
  host?: string;
  pid?: number;
}

export interface HeldLock {
  path: string;
  holder: LockHolder;
  /** Removes the lock if it is still ours. Idempotent; synchronous so it also works on exit. */
  release(): void;
}

/** Beside the state file; for a state file that is a symbolic link, beside the file it points to. */
export function lockPathFor(statePath: string): string {
  let real = statePath;
  try {
    if (lstatSync(statePath).isSymbolicLink()) real = realpathSync(statePath);
  } catch {
    // no file (yet), or a dangling link that the state file checks refuse
  }
  return `${real}.lock`;
}

/** Takes the lock beside `statePath`, waiting up to `timeoutMs` for another holder; else LockError. */
export async function acquireLock(statePath: string, options: LockOptions): Promise<HeldLock> {
  const path = lockPathFor(statePath);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const isAlive = options.isAlive ?? processIsAlive;
  const host = options.host ?? hostname();
  const pollMs = options.pollMs ?? LOCK_POLL_MS;
  const deadline = now() + options.timeoutMs;
  const mine: LockHolder = {
    pid: options.pid ?? process.pid,
    host,
    started_at: new Date(now()).toISOString(),
    command: 'dnsctl apply',
    nonce: randomBytes(8).toString('hex'),
  };
  let saidWaiting = false;

  for (;;) {
    if (createLock(path, mine)) return held(path, mine);
    const current = readHolder(path);
    if (current === 'gone') continue;
    if (current !== 'unreadable' && current.host === host && !isRunning(current, mine.pid, isAlive)) {
      if (takeOverStale(path, current)) {
        options.warn(
          `dnsctl: warning: took over a stale lock ${path}: its holder (pid ${current.pid} on ${current.host}, since ${current.started_at}) is no longer running`,
        );
      }
      continue;
    }
    const remaining = deadline - now();
    if (remaining <= 0) throw lockBusy(path, statePath, current, options.timeoutMs);
    if (!saidWaiting) {
      options.warn(`dnsctl: waiting up to ${Math.ceil(remaining / 1000)} s for ${describeHolder(current)} to release ${path}`);
      saidWaiting = true;
    }
    try {
      await sleep(Math.min(pollMs, remaining), options.signal);
    } catch (err) {
      if (options.signal?.aborted) throw new InterruptedError(options.signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
      throw err;
    }
  }
}

/** Creates the lock with `holder` inside; false if a lock already exists. */
function createLock(path: string, holder: LockHolder): boolean {
  const text = `${JSON.stringify(holder)}\n`;
  const temp = join(dirname(path), `.${basename(path)}.${holder.nonce}.tmp`);
  try {
    writeNew(temp, text);
  } catch (err) {
    throw lockIoError(path, err);
  }
  try {
    linkSync(temp, path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw lockIoError(path, err);
  } finally {
    removeQuietly(temp);
  }
  // No hard links here: O_EXCL, at the price of a moment where the lock is empty.
  try {
    writeNew(path, text);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw lockIoError(path, err);
  }
}

function writeNew(path: string, text: string): void {
  const fd = openSync(path, 'wx', 0o644);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

function readHolder(path: string): LockHolder | 'gone' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    return 'unreadable';
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return 'unreadable';
    // Shown in messages: a lock file is anyone's to write, so its text is made inert.
    return {
      pid: parsed.pid,
      host: escapeText(parsed.host),
      started_at: escapeText(String(parsed.started_at ?? 'an unknown time')),
      command: escapeText(String(parsed.command ?? 'dnsctl apply')),
      nonce: String(parsed.nonce ?? ''),
    };
  } catch {
    return 'unreadable';
  }
}

/**
 * Removes a stale lock so that the next create can win. Two runs may judge the same lock stale at
 * once: each moves the lock aside first and checks that what it moved is the stale lock it read;
 * a fresh lock another run created meanwhile is put back.
 */
function takeOverStale(path: string, stale: LockHolder): boolean {
  const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false; // another run moved it first
    throw new LockError(`cannot remove the stale lock file ${path}: ${errorMessage(err)}; remove it by hand`);
  }
  const moved = readHolder(aside);
  if (moved !== 'gone' && moved !== 'unreadable' && moved.nonce === stale.nonce && moved.pid === stale.pid) {
    removeQuietly(aside);
    return true;
  }
  try {
    linkSync(aside, path);
  } catch {
    // A third run created a lock meanwhile; it holds it.
  }
  removeQuietly(aside);
  return false;
}

function held(path: string, holder: LockHolder): HeldLock {
  let released = false;
  heldHere.add(holder.nonce);
  const release = () => {
    if (released) return;
    released = true;
    heldHere.delete(holder.nonce);
    process.off('exit', release);
    const current = readHolder(path);
    if (current !== 'gone' && current !== 'unreadable' && current.nonce === holder.nonce) removeQuietly(path);
  };
  // A second SIGINT exits at once (process.exit): the lock still goes.
  process.on('exit', release);
  return { path, holder, release };
}

/** Nonces of the locks this process holds (in-process runs, as in the tests, may hold several). */
const heldHere = new Set<string>();

/**
 * Whether the holder of a lock of this host still runs. A lock with this process's own pid that
 * this process does not hold was left by an earlier process that had the same pid (containers
 * often run as pid 1): stale.
 */
function isRunning(holder: LockHolder, ownPid: number, isAlive: (pid: number) => boolean): boolean {
  if (holder.pid === ownPid) return heldHere.has(holder.nonce);
  return isAlive(holder.pid);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describeHolder(holder: LockHolder | 'unreadable'): string {
  if (holder === 'unreadable') return 'an unknown holder (the lock file cannot be read)';
  return `${holder.command} (pid ${holder.pid} on host ${holder.host}, since ${holder.started_at})`;
}

function lockBusy(path: string, statePath: string, holder: LockHolder | 'unreadable', timeoutMs: number): LockError {
  const waited = timeoutMs > 0 ? ` after waiting ${Math.round(timeoutMs / 1000)} s` : '';
  const where = holder === 'unreadable' ? 'its holder' : `pid ${holder.pid} on host ${holder.host}`;
  return new LockError(
    `another run holds the lock on ${statePath}${waited}: ${describeHolder(holder)}, lock file ${path}. ` +
      `Wait for it to finish (or pass --lock-timeout SECONDS to wait); if ${where} is no longer running, remove ${path}`,
  );
}

function lockIoError(path: string, err: unknown): LockError {
  return new LockError(`cannot create the lock file ${path}: ${errorMessage(err)}; pass --state with a writable path`);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
