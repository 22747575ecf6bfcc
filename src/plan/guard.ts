/**
 * The blast-radius guard: apply refuses a plan that would delete more than a limit. Pure.
 *
 * "Managed objects" are the account objects the plan is about: those it matched to the config
 * (an update or no change) and those it would delete. Creates are not counted (they do not exist
 * yet), nor conflicts or objects left alone. The default limit is max(3, 30 % of them), rounded
 * down: the floor keeps a small account from being blocked by one delete, the share catches a
 * config that lost most of itself (a `peers: []`).
 */
import { kindOf } from '../resources/index.js';
import type { Operation, Plan } from './types.js';

export const DELETE_FLOOR = 3;
export const DELETE_SHARE = 0.3;

export interface DeleteLimit {
  /** Where the limit comes from, for the message. */
  source: 'default' | 'config' | 'flag';
  limit: number;
  managed: number;
}

export interface GuardVerdict extends DeleteLimit {
  deletes: Operation[];
  allowed: boolean;
}

export function managedCount(plan: Plan): number {
  return plan.operations.filter((op) => op.cloudflareId !== null && (op.action === 'update' || op.action === 'noop' || op.action === 'delete')).length;
}

/** `--allow-deletes N` (this run) beats `max_deletes:` (the config) beats the default. */
export function deleteLimit(plan: Plan, configured?: number, allowed?: number | null): DeleteLimit {
  const managed = managedCount(plan);
  if (allowed !== undefined && allowed !== null) return { source: 'flag', limit: allowed, managed };
  if (configured !== undefined) return { source: 'config', limit: configured, managed };
  return { source: 'default', limit: Math.max(DELETE_FLOOR, Math.floor(DELETE_SHARE * managed)), managed };
}

export function checkDeletes(plan: Plan, configured?: number, allowed?: number | null): GuardVerdict {
  const deletes = plan.operations.filter((op) => op.action === 'delete');
  const limit = deleteLimit(plan, configured, allowed);
  return { ...limit, deletes, allowed: deletes.length <= limit.limit };
}

const LIMIT_SOURCE: Record<DeleteLimit['source'], string> = {
  default: 'the default limit',
  config: 'max_deletes in the config',
  flag: '--allow-deletes',
};

/** One line per delete after a one-line summary: what the refusal names. */
export function refusalMessage(verdict: GuardVerdict): string {
  const why =
    verdict.source === 'default'
      ? `${LIMIT_SOURCE.default} max(${DELETE_FLOOR}, ${Math.round(DELETE_SHARE * 100)} % of ${verdict.managed} managed objects) = ${verdict.limit}`
      : `${LIMIT_SOURCE[verdict.source]} = ${verdict.limit}`;
  const head =
    `the plan would delete ${verdict.deletes.length} objects, more than ${why}; nothing was changed. ` +
    `If these deletes are intended, run again with --allow-deletes ${verdict.deletes.length} (or set max_deletes: in the config)`;
  const lines = verdict.deletes.map((op) => `  - ${kindOf(op.kind).label} ${JSON.stringify(op.name)} (id ${op.cloudflareId})${op.reason ? `: ${op.reason}` : ''}`);
  return [head, ...lines].join('\n');
}
