import { randomBytes } from 'node:crypto';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { Result } from '../apply/types.js';
import { OutputFileError, StateFileError, errorMessage } from '../errors.js';
import { writeFileAtomic } from './atomic.js';
import { followLink, jsonObject, type DnsctlFileKind } from './safe-write.js';
import type { Inventory } from '../plan/inventory.js';
import type { Action, Plan } from '../plan/types.js';
import { KINDS, kindOf } from '../resources/index.js';
import type { KindName } from '../resources/types.js';
import { Secret, secretFingerprint } from '../secret.js';

export const STATE_FORMAT_VERSION = 1;

export type EntryStatus = 'applied' | 'failed' | 'skipped' | 'unchanged';

export interface StateEntry {
  kind: KindName;
  name: string;
  /** Cloudflare id; null when the object does not exist (a create that did not happen). */
  id: string | null;
  operation: Action;
  status: EntryStatus;
  error?: string;
  /** Salted fingerprints of the secrets dnsctl last wrote, by field (never the secret itself). */
  fingerprints?: Record<string, string>;
  /** When dnsctl took the object over (ISO time) and how: for "why a delete happens". */
  managed_since?: string;
  managed_by?: 'create' | 'import';
}

export interface StateSummary {
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  failed: number;
  skipped: number;
}

export type Outcome = 'success' | 'partial' | 'failed' | 'interrupted';

export interface StateFile {
  format_version: number;
  tool: { name: 'dnsctl'; version: string };
  config: { path: string; sha256: string };
  account_id: string;
  started_at: string;
  finished_at: string;
  dry_run: boolean;
  outcome: Outcome;
  /** A run that stopped before planning (e.g. the account could not be read) says why here. */
  error?: string;
  summary: StateSummary;
  fingerprint_salt: string;
  resources: StateEntry[];
}

/** Default: beside the config, `<config name>.state.json`. */
export function defaultStatePath(configPath: string): string {
  return join(dirname(configPath), `${basename(configPath, extname(configPath))}.state.json`);
}

/** The previous state, or null when there is none. Never guesses: a bad file is an error. */
export function readStateFile(path: string): StateFile | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StateFileError(`cannot read state file ${path}: ${errorMessage(err)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new StateFileError(
      `state file ${path} is not valid JSON (corrupt or truncated); it was left as it is. ` +
        `Move it aside to start a fresh inventory, or pass --state with another path`,
    );
  }
  return checkStateShape(parsed, path);
}

function checkStateShape(value: unknown, path: string): StateFile {
  const bad = (why: string) =>
    new StateFileError(`state file ${path} ${why}; it was left as it is. Move it aside or pass --state with another path`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('is not a JSON object');
  const state = value as Partial<StateFile>;
  if (typeof state.format_version !== 'number') throw bad('has no format_version');
  if (state.format_version > STATE_FORMAT_VERSION) {
    throw new StateFileError(
      `state file ${path} has format version ${state.format_version}, written by a newer dnsctl ` +
        `(this one reads version ${STATE_FORMAT_VERSION}); upgrade dnsctl. The file was left as it is`,
    );
  }
  if (typeof state.account_id !== 'string' || typeof state.fingerprint_salt !== 'string') throw bad('lacks account_id or fingerprint_salt');
  if (!Array.isArray(state.resources)) throw bad('has no resources list');
  for (const entry of state.resources) {
    if (typeof entry !== 'object' || entry === null || typeof entry.kind !== 'string' || typeof entry.name !== 'string') {
      throw bad('has a malformed resources entry');
    }
  }
  return state as StateFile;
}

/** Only a state file dnsctl wrote (any version), or an empty file, is ever replaced. */
export const STATE_FILE_KIND: DnsctlFileKind = {
  label: 'state/report file',
  // The fields every state file has (any version): what readStateFile needs to read one.
  recognise: (text) => {
    const value = jsonObject(text);
    return (
      typeof value?.format_version === 'number' &&
      typeof value.account_id === 'string' &&
      typeof value.fingerprint_salt === 'string' &&
      Array.isArray(value.resources)
    );
  },
};

export function writeStateFile(path: string, state: StateFile): void {
  try {
    writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`, STATE_FILE_KIND);
  } catch (err) {
    if (err instanceof OutputFileError) throw err;
    throw new StateFileError(`could not write the state/report file ${path}: ${errorMessage(err)}`);
  }
}

/**
 * Before anything touches the account: the state file may be written there (see safe-write.ts)
 * and its folder is writable. A state file that is a symbolic link is written through.
 */
export function assertStateWritable(path: string): void {
  const target = followLink(path, STATE_FILE_KIND);
  const folder = dirname(target);
  try {
    if (!statSync(folder).isDirectory()) throw new Error('not a directory');
    accessSync(folder, constants.W_OK);
    if (statSync(target, { throwIfNoEntry: false })?.isDirectory()) throw new Error('it is a directory');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the folder does not exist' : errorMessage(err);
    throw new StateFileError(`cannot write the state/report file ${path}: ${why}; nothing was done. Pass --state with a writable path`);
  }
  // What is there must be a state file (or nothing): readStateFile, which comes next, says what is wrong otherwise.
}

export function newSalt(): string {
  return randomBytes(16).toString('hex');
}

/** The previous run's knowledge as the planner reads it. Deleted objects are not managed any more. */
export function inventoryFrom(state: StateFile | null): Inventory {
  const live = (state?.resources ?? []).filter(
    (e) => e.id !== null && !(e.operation === 'delete' && e.status === 'applied') && KINDS.some((k) => k.kind === e.kind),
  );
  // Names compare as their kind compares them (a state file may predate canonical TSIG names).
  const entryFor = (kind: KindName, name: string) => {
    const canonical = kindOf(kind).canonicalName;
    return live.find((e) => e.kind === kind && canonical(e.name) === canonical(name));
  };
  return {
    idOf: (kind, name) => entryFor(kind, name)?.id ?? undefined,
    manages: (kind, id) => live.some((e) => e.kind === kind && e.id === id),
    secretMatches: (kind, name, field, secret) => {
      const recorded = entryFor(kind, name)?.fingerprints?.[field];
      if (!recorded || !state) return undefined;
      return recorded === secretFingerprint(state.fingerprint_salt, secret);
    },
  };
}

export interface RunFacts {
  version: string;
  configPath: string;
  configSha256: string;
  accountId: string;
  startedAt: Date;
  finishedAt: Date;
  interrupted: boolean;
  salt: string;
}

/** The state after an apply: one entry per operation, with its outcome. Pure. */
export function buildAppliedState(plan: Plan, results: Result[], previous: StateFile | null, facts: RunFacts): StateFile {
  const byOp = new Map(results.map((r) => [r.op.id, r]));
  const resources: StateEntry[] = plan.operations.map((op) => {
    const result = byOp.get(op.id);
    const base = { kind: op.kind, name: op.name, operation: op.action };
    if (!result) return { ...base, id: op.cloudflareId, status: 'unchanged', ...keptFingerprints(previous, op.kind, op.name), ...keptSince(previous, op.kind, op.cloudflareId) };
    const id = result.status === 'skipped' ? op.cloudflareId : result.cloudflareId;
    const entry: StateEntry = { ...base, id, status: result.status };
    if (result.status === 'failed') entry.error = result.error.message;
    if (result.status === 'skipped') entry.error = result.reason;
    const fingerprints =
      result.status === 'applied' && op.desired ? secretFingerprints(op, facts.salt) : keptFingerprints(previous, op.kind, op.name).fingerprints;
    if (fingerprints && Object.keys(fingerprints).length > 0) entry.fingerprints = fingerprints;
    return { ...entry, ...managedSince(op, result, previous, facts) };
  });
  const failed = resources.filter((e) => e.status === 'failed').length;
  const skipped = resources.filter((e) => e.status === 'skipped').length;
  const outcome: Outcome = facts.interrupted ? 'interrupted' : failed + skipped === 0 ? 'success' : failed + skipped === results.length ? 'failed' : 'partial';
  return {
    ...header(facts, false, outcome),
    summary: summarizeEntries(resources),
    resources,
  };
}

/** An object `dnsctl import` declared, recorded as managed; its secrets as fingerprints. */
export interface ImportedEntry {
  kind: KindName;
  name: string;
  id: string;
  secrets?: Record<string, Secret>;
}

/** The state file `dnsctl import` writes: every imported object managed (unchanged). Pure. */
export function buildImportedState(entries: ImportedEntry[], facts: RunFacts): StateFile {
  const resources: StateEntry[] = entries.map(({ kind, name, id, secrets }) => {
    const entry: StateEntry = { kind, name, id, operation: 'noop', status: 'unchanged', managed_since: facts.startedAt.toISOString(), managed_by: 'import' };
    const fingerprints = Object.fromEntries(Object.entries(secrets ?? {}).map(([field, secret]) => [field, secretFingerprint(facts.salt, secret)]));
    if (Object.keys(fingerprints).length > 0) entry.fingerprints = fingerprints;
    return entry;
  });
  return { ...header(facts, false, 'success'), summary: summarizeEntries(resources), resources };
}

/** A run that could not plan (account unreadable, ...): report it, keep the inventory. */
export function buildUnplannedState(previous: StateFile | null, facts: RunFacts, error: string): StateFile {
  return {
    ...header(facts, false, facts.interrupted ? 'interrupted' : 'failed'),
    error,
    summary: { created: 0, updated: 0, deleted: 0, unchanged: 0, failed: 0, skipped: 0 },
    resources: previous?.account_id === facts.accountId ? previous.resources : [],
  };
}

function header(facts: RunFacts, dryRun: boolean, outcome: Outcome): Omit<StateFile, 'summary' | 'resources'> {
  return {
    format_version: STATE_FORMAT_VERSION,
    tool: { name: 'dnsctl', version: facts.version },
    config: { path: facts.configPath, sha256: facts.configSha256 },
    account_id: facts.accountId,
    started_at: facts.startedAt.toISOString(),
    finished_at: facts.finishedAt.toISOString(),
    dry_run: dryRun,
    outcome,
    fingerprint_salt: facts.salt,
  };
}

function secretFingerprints(op: Plan['operations'][number], salt: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of kindOf(op.kind).fields) {
    const value = op.desired?.values[field.name];
    if (field.type === 'secret' && value instanceof Secret) out[field.name] = secretFingerprint(salt, value);
  }
  return out;
}

/** A create that happened starts the record; otherwise the previous entry's record is kept. */
function managedSince(op: Plan['operations'][number], result: Result, previous: StateFile | null, facts: RunFacts): Pick<StateEntry, 'managed_since' | 'managed_by'> {
  if (op.action === 'create' && result.status === 'applied') return { managed_since: facts.startedAt.toISOString(), managed_by: 'create' };
  return keptSince(previous, op.kind, result.status === 'skipped' ? op.cloudflareId : result.cloudflareId);
}

function keptSince(previous: StateFile | null, kind: KindName, id: string | null): Pick<StateEntry, 'managed_since' | 'managed_by'> {
  const before = id === null ? undefined : previous?.resources.find((e) => e.kind === kind && e.id === id && e.managed_since);
  return before ? { managed_since: before.managed_since!, ...(before.managed_by ? { managed_by: before.managed_by } : {}) } : {};
}

function keptFingerprints(previous: StateFile | null, kind: KindName, name: string): { fingerprints?: Record<string, string> } {
  const fingerprints = previous?.resources.find((e) => e.kind === kind && e.name === name)?.fingerprints;
  return fingerprints ? { fingerprints } : {};
}

function summarizeEntries(entries: StateEntry[]): StateSummary {
  const summary: StateSummary = { created: 0, updated: 0, deleted: 0, unchanged: 0, failed: 0, skipped: 0 };
  for (const e of entries) {
    if (e.status === 'unchanged') summary.unchanged += 1;
    else if (e.status === 'failed') summary.failed += 1;
    else if (e.status === 'skipped') summary.skipped += 1;
    else if (e.operation === 'create') summary.created += 1;
    else if (e.operation === 'update') summary.updated += 1;
    else if (e.operation === 'delete') summary.deleted += 1;
  }
  return summary;
}
