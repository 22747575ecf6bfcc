/**
 * "Why a delete happens", in the user's terms: the config file by name and, where the state file
 * has it, when dnsctl took the object over. Pure: rewrites only the planner's two ownership
 * reasons of delete operations, leaving every other field (and the plan hash) as it was.
 */
import { basename } from 'node:path';
import type { StateFile } from '../report/state.js';
import type { Plan } from './types.js';

const RECORDED = 'no longer declared in the config; the state file records it as managed by dnsctl';
const MANAGE_ALL = 'not declared in the config, which says manage: all';

export function explainDeletes(plan: Plan, configPath: string, previous: StateFile | null): Plan {
  const file = basename(configPath);
  const operations = plan.operations.map((op) => {
    if (op.action !== 'delete') return op;
    if (op.reason === MANAGE_ALL) return { ...op, reason: `not in ${file}, which says manage: all` };
    if (op.reason !== RECORDED) return op;
    const entry = previous?.resources.find((e) => e.kind === op.kind && e.id === op.cloudflareId && e.managed_since);
    const since = entry?.managed_since?.slice(0, 10);
    const how = !since
      ? 'the state file records it as managed by dnsctl'
      : entry?.managed_by === 'import'
        ? `imported by dnsctl import on ${since}`
        : `created by dnsctl on ${since}`;
    return { ...op, reason: `no longer in ${file}; ${how}` };
  });
  return { ...plan, operations };
}
