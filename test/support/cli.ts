/**
 * Runs the built CLI (dist/cli.js) as a child process, the way a user or a CI job does, and
 * writes the temp configs the integration and end-to-end tests feed it.
 *
 * Always asynchronous (`spawn`, never `spawnSync`): the fake Cloudflare API runs in the test
 * process, so a blocking spawn would deadlock it. The child gets a clean environment (PATH, HOME,
 * TMPDIR, NO_COLOR plus what the test passes): no CLOUDFLARE_* or GITHUB_* variable of the
 * machine running the tests can leak in (a CI runner sets GITHUB_ACTIONS=true).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI_PATH = join(ROOT, 'dist', 'cli.js');
export const PACKAGE_VERSION: string = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

export const ACCOUNT_ID = '01a7362d577a6c3019a474fd6f485823';

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Added to the clean base environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** The child is killed (SIGKILL) after this long; the test then sees signal SIGKILL. Default 20 s. */
  timeoutMs?: number;
}

export interface RunningCli {
  child: ChildProcess;
  /** Settles when the child has exited and its output is complete. */
  result: Promise<CliRun>;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout matches (rejects after `timeoutMs`, or when the child ends first). */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/** Fails fast with a clear message when `npm run build` has not been run. */
export function assertBuilt(): void {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run "npm run build" first`);
}

export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1' };
  for (const name of ['HOME', 'TMPDIR', 'SYSTEMROOT']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

function childEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env = baseEnv();
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export function startCli(args: string[], options: CliOptions = {}): RunningCli {
  assertBuilt();
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    env: childEnv(options.env),
    cwd: options.cwd ?? ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    stdout += chunk;
    for (const watcher of [...watchers]) watcher();
  });
  child.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  const result = new Promise<CliRun>((resolve, reject) => {
    child.once('error', (err) => {
      clearTimeout(killer);
      reject(err);
    });
    // 'close' (not 'exit'): both pipes are drained.
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      for (const watcher of [...watchers]) watcher();
      resolve({ code, signal, stdout, stderr });
    });
  });
  let ended = false;
  void result.then(
    () => (ended = true),
    () => (ended = true),
  );

  return {
    child,
    result,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStdout(pattern, timeoutMs = 15_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`stdout did not match ${pattern} within ${timeoutMs} ms; stdout so far:\n${stdout}\nstderr:\n${stderr}`));
        }, timeoutMs);
        const check = () => {
          if (pattern.test(stdout)) {
            clearTimeout(timer);
            watchers.delete(check);
            resolve();
          } else if (ended || child.exitCode !== null) {
            clearTimeout(timer);
            watchers.delete(check);
            reject(new Error(`the CLI ended before stdout matched ${pattern}; stdout:\n${stdout}\nstderr:\n${stderr}`));
          }
        };
        watchers.add(check);
        check();
      });
    },
  };
}

/** Runs `node dist/cli.js ...args` to the end. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  return startCli(args, options).result;
}

// ---------------------------------------------------------------------------------------------
// Temp files and configs

/** A fresh temp folder; remove it with `removeTempDirs()` (e.g. in afterAll). */
const tempDirs: string[] = [];
export function tempDir(prefix = 'dnsctl-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function writeText(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A random hex string: unique secrets and tokens per test. */
export function randomHex(bytes = 32): string {
  return randomBytes(bytes).toString('hex');
}

export interface TsigSpec {
  name: string;
  algo?: string;
  /** The environment variable holding the secret: the config says `secret: ${secretVar}`. */
  secretVar: string;
}

export interface PeerSpec {
  name: string;
  /** Left out: a peer with no address. */
  ip?: string;
  port?: number;
  ixfr_enable?: boolean;
  tsig?: string;
}

export interface AclSpec {
  name: string;
  ip_range: string;
}

export interface ZoneSpec {
  name: string;
  zone_id?: string;
  incoming?: { peers: string[]; auto_refresh_seconds?: number };
  outgoing?: { peers: string[]; enabled?: boolean };
}

export interface ConfigSpec {
  /** Default ACCOUNT_ID; `null` leaves `account_id` out (CLOUDFLARE_ACCOUNT_ID then). */
  accountId?: string | null;
  manage?: 'declared' | 'all';
  tsigs?: TsigSpec[];
  peers?: PeerSpec[];
  acls?: AclSpec[];
  zones?: ZoneSpec[];
}

const quote = (text: string) => JSON.stringify(text);

/** The YAML text of a dnsctl config. Secrets are always `${VAR}` references. */
export function configYaml(spec: ConfigSpec): string {
  const lines = ['version: 1'];
  const accountId = spec.accountId === undefined ? ACCOUNT_ID : spec.accountId;
  if (accountId !== null) lines.push(`account_id: ${quote(accountId)}`);
  if (spec.manage) lines.push(`manage: ${spec.manage}`);
  if (spec.tsigs && spec.tsigs.length > 0) {
    lines.push('tsigs:');
    for (const t of spec.tsigs) {
      lines.push(`  - name: ${quote(t.name)}`, `    algo: ${quote(t.algo ?? 'hmac-sha512.')}`, `    secret: \${${t.secretVar}}`);
    }
  }
  if (spec.peers && spec.peers.length > 0) {
    lines.push('peers:');
    for (const p of spec.peers) {
      lines.push(`  - name: ${quote(p.name)}`);
      if (p.ip !== undefined) lines.push(`    ip: ${quote(p.ip)}`);
      if (p.port !== undefined) lines.push(`    port: ${p.port}`);
      if (p.ixfr_enable !== undefined) lines.push(`    ixfr_enable: ${p.ixfr_enable}`);
      if (p.tsig !== undefined) lines.push(`    tsig: ${quote(p.tsig)}`);
    }
  }
  if (spec.acls && spec.acls.length > 0) {
    lines.push('acls:');
    for (const a of spec.acls) lines.push(`  - name: ${quote(a.name)}`, `    ip_range: ${quote(a.ip_range)}`);
  }
  if (spec.zones && spec.zones.length > 0) {
    lines.push('zones:');
    for (const z of spec.zones) {
      lines.push(`  - name: ${quote(z.name)}`);
      if (z.zone_id) lines.push(`    zone_id: ${quote(z.zone_id)}`);
      if (z.incoming) {
        lines.push('    incoming:', `      peers: ${JSON.stringify(z.incoming.peers)}`);
        if (z.incoming.auto_refresh_seconds !== undefined) lines.push(`      auto_refresh_seconds: ${z.incoming.auto_refresh_seconds}`);
      }
      if (z.outgoing) {
        lines.push('    outgoing:', `      peers: ${JSON.stringify(z.outgoing.peers)}`);
        if (z.outgoing.enabled !== undefined) lines.push(`      enabled: ${z.outgoing.enabled}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

export function writeConfig(dir: string, spec: ConfigSpec, name = 'dnsctl.yaml'): string {
  return writeText(dir, name, configYaml(spec));
}

/**
 * A config of `tsigCount` TSIGs (each with its own random secret in `env`) and `peerCount`
 * peers, peer i using TSIG i % tsigCount (every third peer without a TSIG).
 */
export function bigConfig(tsigCount: number, peerCount: number, prefix = 'k'): { spec: ConfigSpec; secrets: Record<string, string> } {
  const secrets: Record<string, string> = {};
  const tsigs: TsigSpec[] = [];
  for (let i = 0; i < tsigCount; i++) {
    const secretVar = `TSIG_SECRET_${i}`;
    secrets[secretVar] = randomHex(32);
    tsigs.push({ name: `${prefix}${String(i).padStart(3, '0')}.tsig.example.`, secretVar });
  }
  const peers: PeerSpec[] = [];
  for (let i = 0; i < peerCount; i++) {
    const tsig = tsigCount > 0 && i % 3 !== 2 ? tsigs[i % tsigCount]!.name : undefined;
    peers.push({ name: `${prefix}-peer-${String(i).padStart(3, '0')}`, ip: `192.0.2.${(i % 250) + 1}`, port: 53 + (i % 3), ...(tsig ? { tsig } : {}) });
  }
  return { spec: { tsigs, peers }, secrets };
}

/** Parses a JSON file, failing with the file's text when it is not JSON. */
export function readJson<T = unknown>(path: string): T {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`${path} is not valid JSON:\n${text}`);
  }
}

/** stderr without pino's JSON log lines: what a person reads. */
export function humanLines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('{"level"'));
}
