import type { Result } from '../apply/types.js';
import type { Operation, Plan } from '../plan/types.js';
import { summarize } from '../plan/types.js';
import type { StateFile } from './state.js';

/** The serialisable view of an operation: never the desired values (they hold secrets). */
export function operationView(op: Operation) {
  return {
    id: op.id,
    action: op.action,
    kind: op.kind,
    name: op.name,
    cloudflare_id: op.cloudflareId,
    changes: op.changes,
    depends_on: op.dependsOn,
    ...(op.reason ? { reason: op.reason } : {}),
  };
}

export interface PlanMeta {
  configPath: string;
  configSha256: string;
  planHash: string;
  accountId: string;
  version: string;
  /** Plain-text remarks for people (e.g. "no state file: nothing will be deleted"). */
  notes?: string[];
}

export function planJson(plan: Plan, meta: PlanMeta) {
  return {
    dnsctl_version: meta.version,
    config: { path: meta.configPath, sha256: meta.configSha256 },
    account_id: meta.accountId,
    plan_hash: meta.planHash,
    summary: summarize(plan),
    operations: plan.operations.map(operationView),
    unmanaged: plan.unmanaged,
    notes: meta.notes ?? [],
  };
}

export function applyJson(plan: Plan, results: Result[], state: Pick<StateFile, 'summary' | 'outcome'>, meta: PlanMeta & { statePath: string }) {
  return {
    ...planJson(plan, meta),
    state_path: meta.statePath,
    outcome: state.outcome,
    result_summary: state.summary,
    results: results.map((r) => ({
      operation: r.op.id,
      action: r.op.action,
      kind: r.op.kind,
      name: r.op.name,
      status: r.status,
      ...(r.status === 'skipped' ? { reason: r.reason } : { cloudflare_id: r.cloudflareId }),
      ...(r.status === 'failed' ? { error: r.error } : {}),
    })),
  };
}
