import pLimit from 'p-limit';
import type { SecondaryDnsApi } from '../cloudflare/api.js';
import { ApiError, NotSentError, errorMessage } from '../errors.js';
import { kindOf } from '../resources/index.js';
import { resourceKey, type KindName, type WriteTarget } from '../resources/types.js';
import type { Operation, Plan } from '../plan/types.js';
import type { ErrorInfo, Result } from './types.js';

export interface ExecuteOptions {
  api: SecondaryDnsApi;
  /** At most this many operations run at once (one shared limit for the whole DAG). */
  concurrency: number;
  /** When aborted, no further operation starts; those in flight finish. */
  signal?: AbortSignal;
  /** Called as each operation settles (progress output). */
  onResult?: (result: Result) => void;
}

/**
 * Runs the plan's operations as a DAG: each starts as soon as everything it depends on is
 * applied, under one concurrency limit. A failure skips its dependents; the rest go on.
 * Returns one result per operation that is not a noop, in plan order.
 */
export async function executePlan(plan: Plan, options: ExecuteOptions): Promise<Result[]> {
  const work = plan.operations.filter((op) => op.action !== 'noop');
  const inPlan = new Set(work.map((op) => op.id));
  const ids = knownIds(plan);
  const limit = pLimit(options.concurrency);
  const results = new Map<string, Result>();
  const dependents = new Map<string, Operation[]>();
  const waitingOn = new Map<string, number>();

  for (const op of work) {
    const deps = op.dependsOn.filter((d) => inPlan.has(d));
    waitingOn.set(op.id, deps.length);
    for (const dep of deps) dependents.set(dep, [...(dependents.get(dep) ?? []), op]);
  }

  return new Promise<Result[]>((resolve) => {
    const finishIfDone = () => {
      if (results.size === work.length) resolve(work.map((op) => results.get(op.id)!));
    };

    const settle = (result: Result) => {
      if (results.has(result.op.id)) return;
      results.set(result.op.id, result);
      if (result.status === 'applied' && result.cloudflareId && result.op.action === 'create') {
        ids.set(resourceKey(result.op.kind, result.op.name), result.cloudflareId);
      }
      options.onResult?.(result);
      for (const next of dependents.get(result.op.id) ?? []) {
        if (results.has(next.id)) continue;
        if (result.status !== 'applied') {
          settle({ status: 'skipped', op: next, reason: skipReason(result) });
          continue;
        }
        const remaining = waitingOn.get(next.id)! - 1;
        waitingOn.set(next.id, remaining);
        if (remaining === 0) start(next);
      }
      finishIfDone();
    };

    const start = (op: Operation) => {
      void limit(async (): Promise<Result> => {
        if (options.signal?.aborted) return { status: 'skipped', op, reason: 'interrupted before it started' };
        return perform(op, options.api, ids);
      }).then(settle, (err: unknown) => settle({ status: 'failed', op, error: errorInfo(err), cloudflareId: null }));
    };

    for (const op of work) if (waitingOn.get(op.id) === 0) start(op);
    finishIfDone();
  });
}

/** Ids of the objects the plan already knows (matched in the account), by resource key. */
function knownIds(plan: Plan): Map<string, string> {
  const ids = new Map<string, string>();
  for (const op of plan.operations) {
    if (op.cloudflareId && op.action !== 'delete') ids.set(resourceKey(op.kind, op.name), op.cloudflareId);
  }
  return ids;
}

async function perform(op: Operation, api: SecondaryDnsApi, ids: Map<string, string>): Promise<Result> {
  const spec = kindOf(op.kind);
  let createdId: string | null = null;
  try {
    switch (op.action) {
      case 'create': {
        createdId = await spec.create(api, writeTarget(op, ids), (id) => {
          createdId = id;
        });
        return { status: 'applied', op, cloudflareId: createdId };
      }
      case 'update': {
        await spec.update(api, writeTarget(op, ids), op.changes.map((c) => c.field));
        return { status: 'applied', op, cloudflareId: op.cloudflareId };
      }
      case 'delete': {
        await spec.remove(api, writeTarget(op, ids));
        return { status: 'applied', op, cloudflareId: op.cloudflareId };
      }
      case 'conflict':
        return { status: 'failed', op, error: { message: op.reason ?? 'ambiguous name' }, cloudflareId: null };
      case 'noop':
        return { status: 'applied', op, cloudflareId: op.cloudflareId };
    }
  } catch (err) {
    // Stopping: what was never sent is skipped; a peer whose POST went through but not its PUT is
    // a partial create, reported failed with its id so that the next apply completes it.
    if (err instanceof NotSentError && createdId === null) return { status: 'skipped', op, reason: 'interrupted before it was sent' };
    return { status: 'failed', op, error: errorInfo(err), cloudflareId: createdId ?? op.cloudflareId };
  }
}

/** Where the operation writes, with every reference resolved to the id it has by now. */
function writeTarget(op: Operation, ids: Map<string, string>): WriteTarget {
  const spec = kindOf(op.kind);
  const idOf = (kind: KindName, name: string): string => {
    const id = ids.get(resourceKey(kind, name));
    if (!id) throw new Error(`${kindOf(kind).label} "${name}" has no id in the account`);
    return id;
  };
  const fields: Record<string, unknown> = {};
  for (const field of spec.fields) {
    const value = op.desired?.values[field.name] ?? null;
    if (field.type === 'ref' && typeof value === 'string') fields[field.name] = idOf(field.ref!, value);
    else if (field.type === 'refs' && Array.isArray(value)) fields[field.name] = (value as string[]).map((name) => idOf(field.ref!, name));
    else fields[field.name] = value;
  }
  const zoneId = op.zoneId ?? null;
  return { name: op.name, id: spec.scope === 'zone' ? zoneId : op.cloudflareId, zoneId, fields };
}

function skipReason(cause: Result): string {
  const what = `${kindOf(cause.op.kind).label} "${cause.op.name}"`;
  if (cause.status === 'failed') return `${what} failed: ${cause.error.message}`;
  if (cause.status === 'skipped') return `${what} was skipped (${cause.reason})`;
  return `${what} was not applied`;
}

function errorInfo(err: unknown): ErrorInfo {
  if (err instanceof ApiError) {
    const codes = err.errors.map((e) => e.code).filter((c): c is number => c !== null);
    return { message: err.message, status: err.status, ...(codes.length ? { codes } : {}) };
  }
  return { message: errorMessage(err) };
}
