/**
 * Which operations of a plan are dangerous, and why: what a reviewer must not miss in a long
 * plan. Pure; the renderers (text, Markdown, job summary) mark these above any fold.
 */
import { kindOf } from '../resources/index.js';
import type { Operation, Plan } from './types.js';

export type DangerKind = 'delete' | 'tsig-removed' | 'tsig-key-changed' | 'link-peers-removed' | 'link-disabled';

export interface Danger {
  /** The operation's id in the plan. */
  opId: string;
  kind: DangerKind;
  /** Plain text, one line; names as the plan holds them (escape for Markdown). */
  message: string;
}

export function dangersOf(op: Operation): Danger[] {
  const out: Danger[] = [];
  const add = (kind: DangerKind, message: string) => out.push({ opId: op.id, kind, message });
  const label = kindOf(op.kind).label;
  if (op.action === 'delete') {
    add('delete', `deletes ${label} "${op.name}" (id ${op.cloudflareId})`);
    return out;
  }
  if (op.action !== 'update') return out;
  for (const change of op.changes) {
    if (op.kind === 'peer' && change.field === 'tsig' && change.before !== null && change.after === null) {
      add('tsig-removed', `peer "${op.name}" loses its TSIG "${String(change.before)}": transfers with it become unauthenticated`);
    }
    if (op.kind === 'tsig' && (change.field === 'secret' || change.field === 'algo')) {
      const what = change.field === 'secret' ? 'secret' : 'algorithm';
      add('tsig-key-changed', `TSIG "${op.name}" changes its ${what}: every server using the key must change at the same time, or transfers fail`);
    }
    if ((op.kind === 'incoming' || op.kind === 'outgoing') && change.field === 'peers' && (change.removed?.length ?? 0) > 0) {
      add('link-peers-removed', `${label} of ${op.name} loses peer${change.removed!.length === 1 ? '' : 's'} ${change.removed!.map((n) => `"${n}"`).join(', ')}`);
    }
    if (op.kind === 'outgoing' && change.field === 'enabled' && change.before === true && change.after === false) {
      add('link-disabled', `${label} of ${op.name} is disabled: no more transfers to its secondaries`);
    }
  }
  return out;
}

/** Every danger of the plan, in plan order. */
export function planDangers(plan: Plan): Danger[] {
  return plan.operations.flatMap(dangersOf);
}
