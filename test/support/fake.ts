/**
 * Helpers around the fake Cloudflare API (test/fake-api/server.mjs) for the integration tests:
 * start one with a random token (closed by `closeFakes()`), count its requests, compare its
 * objects with a config, and run a dnsctl command in-process against it.
 *
 * The in-process runner builds the same CommandContext as src/cli.ts (options parsed by the real
 * parseCliArgs, a real logger, the real commands), but captures stdout/stderr in strings and lets
 * the test abort the run. Errors are turned into an exit code the way cli.ts does it
 * (DnsctlError → its exitCode and "dnsctl: error: <message>"), so tests can assert both.
 */
import { Writable } from 'node:stream';
import { parseCliArgs } from '../../src/cli/options.js';
import type { CommandContext } from '../../src/commands/context.js';
import { ConfigError, DnsctlError, formatProblem } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { plainStyle } from '../../src/report/style.js';
import { startFakeCloudflare, type FakeCloudflare, type FakeOptions, type RequestRecord } from '../fake-api/server.mjs';
import { randomHex, type ConfigSpec } from './cli.js';

export type { FakeCloudflare, RequestRecord };

const running: FakeCloudflare[] = [];

/** A fake on 127.0.0.1 with a random token (unless given). */
export async function startFake(options: FakeOptions = {}): Promise<FakeCloudflare & { token: string }> {
  const token = options.token ?? `tok-${randomHex(16)}`;
  const fake = await startFakeCloudflare({ ...options, token });
  running.push(fake);
  return Object.assign(fake, { token });
}

export async function closeFakes(): Promise<void> {
  await Promise.all(running.splice(0).map((fake) => fake.close()));
}

/** The path of a collection as the fake records it. */
export function collectionPath(fake: FakeCloudflare, collection: 'tsigs' | 'peers'): string {
  return `/client/v4/accounts/${fake.accountId}/secondary_dns/${collection}`;
}

/** Requests with this method to the collection (`item`: to one of its objects instead). */
export function requestsTo(fake: FakeCloudflare, method: string, collection: 'tsigs' | 'peers', item = false): RequestRecord[] {
  const base = collectionPath(fake, collection);
  return fake.requests.filter((r) => r.method === method && (item ? r.path.startsWith(`${base}/`) : r.path === base));
}

/** Requests that change the account. */
export function writes(fake: FakeCloudflare): RequestRecord[] {
  return fake.requests.filter((r) => r.method !== 'GET');
}

export function tsigIdByName(fake: FakeCloudflare): Map<string, string> {
  return new Map(fake.objects('tsigs').map((t) => [t.name, t.id]));
}

/** What the account must hold for `spec` (ids left out; tsig_id resolved by name), sorted by name. */
export function expectedObjects(fake: FakeCloudflare, spec: ConfigSpec, env: Record<string, string>) {
  const ids = tsigIdByName(fake);
  const tsigs = (spec.tsigs ?? [])
    .map((t) => ({ name: t.name, algo: t.algo ?? 'hmac-sha512.', secret: env[t.secretVar] }))
    .sort(byName);
  const peers = (spec.peers ?? [])
    .map((p) => ({
      name: p.name,
      ip: p.ip,
      port: p.port ?? 53,
      ixfr_enable: p.ixfr_enable ?? false,
      tsig_id: p.tsig === undefined ? '' : ids.get(p.tsig),
    }))
    .sort(byName);
  return { tsigs, peers };
}

/** What the account holds, ids left out, sorted by name. */
export function actualObjects(fake: FakeCloudflare) {
  const strip = ({ id: _id, ...rest }: Record<string, unknown>) => rest;
  return { tsigs: fake.objects('tsigs').map(strip).sort(byName), peers: fake.objects('peers').map(strip).sort(byName) };
}

function byName(a: { name?: unknown }, b: { name?: unknown }): number {
  return String(a.name) < String(b.name) ? -1 : String(a.name) > String(b.name) ? 1 : 0;
}

/** How many objects of the collection carry each name (for "no duplicates"). */
export function nameCounts(fake: FakeCloudflare, collection: 'tsigs' | 'peers'): Map<string, number> {
  const counts = new Map<string, number>();
  for (const obj of fake.objects(collection)) counts.set(obj.name, (counts.get(obj.name) ?? 0) + 1);
  return counts;
}

// ---------------------------------------------------------------------------------------------
// In-process commands

export interface InProcessRun {
  code: number;
  stdout: string;
  /** Human messages and pino's JSON log lines, as on the CLI's stderr. */
  stderr: string;
  /** The error a command threw, if any. */
  error?: unknown;
}

export interface InProcessOptions {
  env?: Record<string, string | undefined>;
  /** Abort it to act like SIGINT/SIGTERM (reason 'SIGINT' or 'SIGTERM'). */
  signal?: AbortSignal;
}

function capture(): { stream: Writable & { isTTY?: boolean }; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/**
 * Runs `dnsctl <argv>` in this process: the real option parser, commands, client, planner,
 * executor and state file, over HTTP to the fake. Only cli.ts's signal traps are left out.
 */
export async function runInProcess(argv: string[], options: InProcessOptions = {}): Promise<InProcessRun> {
  const stdout = capture();
  const stderr = capture();
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[name] = value;
  const parsed = parseCliArgs(argv);
  if (parsed.kind !== 'run') throw new Error(`runInProcess runs commands, not ${parsed.kind}`);
  const ctx: CommandContext = {
    options: parsed.options,
    stdout: { write: (chunk: string) => stdout.stream.write(chunk) },
    stderr: { write: (chunk: string) => stderr.stream.write(chunk) },
    env,
    logger: createLogger(parsed.options.logLevel, stderr.stream),
    style: plainStyle,
    signal: options.signal ?? new AbortController().signal,
    cleanups: [],
  };
  let code: number;
  let error: unknown;
  try {
    const command = parsed.options.command;
    if (command === 'validate') code = await (await import('../../src/commands/validate.js')).validateCommand(ctx);
    else if (command === 'plan') code = await (await import('../../src/commands/plan.js')).planCommand(ctx);
    else code = await (await import('../../src/commands/apply.js')).applyCommand(ctx);
  } catch (err) {
    error = err;
    if (err instanceof ConfigError) {
      for (const p of err.problems) ctx.stderr.write(`${formatProblem(p)}\n`);
      code = err.exitCode;
    } else if (err instanceof DnsctlError) {
      ctx.stderr.write(`dnsctl: error: ${err.message}\n`);
      code = err.exitCode;
    } else {
      throw err;
    }
  } finally {
    await Promise.allSettled(ctx.cleanups.map((cleanup) => cleanup()));
  }
  return { code, stdout: stdout.text(), stderr: stderr.text(), error };
}
