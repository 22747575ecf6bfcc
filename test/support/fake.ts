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
import { canonicalKeyName } from '../../src/resources/names.js';
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
export function collectionPath(fake: FakeCloudflare, collection: 'tsigs' | 'peers' | 'acls'): string {
  return `/client/v4/accounts/${fake.accountId}/secondary_dns/${collection}`;
}

/** Requests with this method to the collection (`item`: to one of its objects instead). */
export function requestsTo(fake: FakeCloudflare, method: string, collection: 'tsigs' | 'peers' | 'acls', item = false): RequestRecord[] {
  const base = collectionPath(fake, collection);
  return fake.requests.filter((r) => r.method === method && (item ? r.path.startsWith(`${base}/`) : r.path === base));
}

/** Requests that change the account. */
export function writes(fake: FakeCloudflare): RequestRecord[] {
  return fake.requests.filter((r) => r.method !== 'GET');
}

/** TSIG ids by canonical name (lower case, one trailing dot). */
export function tsigIdByName(fake: FakeCloudflare): Map<string, string> {
  return new Map(fake.objects('tsigs').map((t) => [canonicalKeyName(t.name), t.id]));
}

export function peerIdByName(fake: FakeCloudflare): Map<string, string> {
  return new Map(fake.objects('peers').map((p) => [p.name, p.id]));
}

/** What the account must hold for `spec` (ids left out; tsig_id resolved by name), sorted by name. */
export function expectedObjects(fake: FakeCloudflare, spec: ConfigSpec, env: Record<string, string>) {
  const ids = tsigIdByName(fake);
  const tsigs = (spec.tsigs ?? [])
    .map((t) => ({ name: canonicalKeyName(t.name), algo: t.algo ?? 'hmac-sha512.', secret: env[t.secretVar] }))
    .sort(byName);
  // As the live API answers: no address is "" and port 0; no TSIG is no tsig_id at all.
  const peers = (spec.peers ?? [])
    .map((p) => ({
      name: p.name,
      ip: p.ip ?? '',
      port: p.port ?? (p.ip === undefined ? 0 : 53),
      ixfr_enable: p.ixfr_enable ?? false,
      ...(p.tsig === undefined ? {} : { tsig_id: ids.get(canonicalKeyName(p.tsig)) }),
    }))
    .sort(byName);
  const acls = (spec.acls ?? []).map((a) => ({ name: a.name, ip_range: a.ip_range })).sort(byName);
  return { tsigs, peers, acls };
}

/** The zone links the account must hold for `spec`: per zone name, peers by name (sorted) and settings. */
export function expectedLinks(spec: ConfigSpec) {
  return Object.fromEntries(
    (spec.zones ?? []).map((z) => [
      z.name.toLowerCase().replace(/\.$/, ''),
      {
        incoming: z.incoming ? { peers: [...z.incoming.peers].sort(), auto_refresh_seconds: z.incoming.auto_refresh_seconds ?? 86_400 } : null,
        outgoing: z.outgoing ? { peers: [...z.outgoing.peers].sort(), enabled: z.outgoing.enabled ?? true } : null,
      },
    ]),
  );
}

/** The zone links the account holds, in the shape of expectedLinks (peer ids turned back into names). */
export function actualLinks(fake: FakeCloudflare, zoneNames: string[]) {
  const names = new Map(fake.objects('peers').map((p) => [p.id, p.name]));
  const byName = new Map(fake.zonesList().map((z) => [z.name.toLowerCase(), z.id]));
  return Object.fromEntries(
    zoneNames.map((name) => {
      const id = byName.get(name.toLowerCase().replace(/\.$/, ''));
      const links = id ? fake.links(id) : { incoming: null, outgoing: null, outgoingEnabled: false };
      const peerNames = (link: Record<string, unknown> | null) => ((link?.peers as string[] | undefined) ?? []).map((p) => names.get(p) ?? p).sort();
      return [
        name.toLowerCase().replace(/\.$/, ''),
        {
          incoming: links.incoming ? { peers: peerNames(links.incoming), auto_refresh_seconds: links.incoming.auto_refresh_seconds } : null,
          outgoing: links.outgoing ? { peers: peerNames(links.outgoing), enabled: links.outgoingEnabled } : null,
        },
      ];
    }),
  );
}

/** What the account holds, ids left out, sorted by name. */
export function actualObjects(fake: FakeCloudflare) {
  const strip = ({ id: _id, ...rest }: Record<string, unknown>) => rest;
  const stripTimes = ({ created_time: _c, modified_time: _m, ...rest }: Record<string, unknown>) => rest;
  return {
    tsigs: fake.objects('tsigs').map(strip).sort(byName),
    peers: fake.objects('peers').map(strip).sort(byName),
    acls: fake.objects('acls').map(strip).map(stripTimes).sort(byName),
  };
}

function byName(a: { name?: unknown }, b: { name?: unknown }): number {
  return String(a.name) < String(b.name) ? -1 : String(a.name) > String(b.name) ? 1 : 0;
}

/** How many objects of the collection carry each name (for "no duplicates"). */
export function nameCounts(fake: FakeCloudflare, collection: 'tsigs' | 'peers' | 'acls'): Map<string, number> {
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
    else if (command === 'import') code = await (await import('../../src/commands/import.js')).importCommand(ctx);
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
