/**
 * Runs the built CLI as a user would: `node dist/cli.js …` in a child process, spawned
 * asynchronously (the fake API lives in this process and must keep answering). Measures the
 * wall time from spawn to exit in this process, and the child's own CPU time and peak RSS
 * through a preload (usage-preload.mjs) that reports `process.resourceUsage()` at exit.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const PRELOAD = pathToFileURL(join(import.meta.dirname, 'usage-preload.mjs')).href;
const TAIL_BYTES = 4000;

/**
 * @typedef {object} CliRun
 * @property {string[]} args
 * @property {number | null} exitCode
 * @property {string | null} signal
 * @property {number} startedAt epoch ms (same clock as the fake's request log)
 * @property {number} endedAt epoch ms
 * @property {number} wallMs
 * @property {number | null} cpuMs user + system CPU time of the dnsctl process
 * @property {number | null} userCpuMs
 * @property {number | null} systemCpuMs
 * @property {number | null} maxRssMb peak resident set size of the dnsctl process, MiB
 * @property {number} stdoutBytes
 * @property {string} stdoutTail
 * @property {string} stderrTail
 */

/** Epoch milliseconds with sub-millisecond precision, the clock of the fake's request log. */
export const now = () => performance.timeOrigin + performance.now();

/**
 * @param {object} options
 * @param {string} options.root the checkout (dist/cli.js inside)
 * @param {string[]} options.args dnsctl's arguments
 * @param {NodeJS.ProcessEnv} options.env
 * @param {string} options.workDir where the usage file goes
 * @param {boolean} [options.measureUsage] default true; false runs plain `node dist/cli.js`
 * @param {number} [options.timeoutMs] the child is killed after this long (default 15 min)
 * @returns {Promise<CliRun>}
 */
export function runCli({ root, args, env, workDir, measureUsage = true, timeoutMs = 15 * 60_000 }) {
  const usageFile = join(workDir, `usage-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  const nodeArgs = measureUsage ? ['--import', PRELOAD] : [];
  const childEnv = measureUsage ? { ...env, DNSCTL_BENCH_USAGE_FILE: usageFile } : env;
  let stdoutBytes = 0;
  let stdoutTail = '';
  let stderrTail = '';
  const startedAt = now();
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'dist/cli.js'), ...args], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
  });
  child.stdout.setEncoding('utf8').on('data', (/** @type {string} */ chunk) => {
    stdoutBytes += Buffer.byteLength(chunk);
    stdoutTail = (stdoutTail + chunk).slice(-TAIL_BYTES);
  });
  child.stderr.setEncoding('utf8').on('data', (/** @type {string} */ chunk) => {
    stderrTail = (stderrTail + chunk).slice(-TAIL_BYTES);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode, signal) => {
      const endedAt = now();
      /** @type {{ userCpuMs: number, systemCpuMs: number, maxRssKb: number } | null} */
      let usage = null;
      if (measureUsage && existsSync(usageFile)) {
        usage = JSON.parse(readFileSync(usageFile, 'utf8'));
        rmSync(usageFile, { force: true });
      }
      resolve({
        args,
        exitCode,
        signal,
        startedAt,
        endedAt,
        wallMs: endedAt - startedAt,
        cpuMs: usage ? usage.userCpuMs + usage.systemCpuMs : null,
        userCpuMs: usage?.userCpuMs ?? null,
        systemCpuMs: usage?.systemCpuMs ?? null,
        maxRssMb: usage ? usage.maxRssKb / 1024 : null,
        stdoutBytes,
        stdoutTail,
        stderrTail,
      });
    });
  });
}

/**
 * Throws with the CLI's output when its exit code is not the expected one.
 * @param {CliRun} run @param {number} expected @param {string} what
 */
export function expectExit(run, expected, what) {
  if (run.exitCode === expected) return;
  throw new Error(
    `${what}: dnsctl ${run.args.join(' ')} exited ${run.exitCode ?? run.signal}, expected ${expected}\n` +
      `--- stdout (tail) ---\n${run.stdoutTail}\n--- stderr (tail) ---\n${run.stderrTail}`,
  );
}

/** @param {number[]} values */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}
