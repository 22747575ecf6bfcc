import type { DesiredResource, KindName } from '../resources/types.js';

export type Action = 'create' | 'update' | 'delete' | 'noop' | 'conflict';

/** A value as shown to people: secrets are already "(sensitive)". */
export type DisplayValue = string | number | boolean | null | readonly string[];

export interface FieldChange {
  field: string;
  before: DisplayValue;
  after: DisplayValue;
  sensitive: boolean;
  /** Reference sets (a link's peers): the names that come and go. */
  added?: string[];
  removed?: string[];
}

export interface Operation {
  /** Unique in the plan: `kind:name`, or `kind:name#id` for a delete. */
  id: string;
  action: Action;
  kind: KindName;
  name: string;
  /** The Cloudflare object this operation acts on; null for a create. */
  cloudflareId: string | null;
  /** create: every field (before null); update: what differs; delete: every field (after null). */
  changes: FieldChange[];
  /** Operations that must be applied first (ids in this plan). */
  dependsOn: string[];
  /** What to write, for create/update. Holds Secrets, which never serialise. */
  desired: DesiredResource | null;
  /** Why a conflict cannot be applied, or why a delete happens. */
  reason?: string;
  /** Zone-scoped kinds: the zone's id (null when it could not be resolved). */
  zoneId?: string | null;
}

/** An object in the account that the config does not declare and dnsctl never managed: left alone. */
export interface UnmanagedObject {
  kind: KindName;
  name: string;
  id: string;
}

export interface Plan {
  accountId: string;
  /** Deterministic order: kinds in dependency order, deletes last, names sorted. */
  operations: Operation[];
  unmanaged: UnmanagedObject[];
}

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  noop: number;
  conflict: number;
}

export function summarize(plan: Plan): PlanSummary {
  const s: PlanSummary = { create: 0, update: 0, delete: 0, noop: 0, conflict: 0 };
  for (const op of plan.operations) s[op.action] += 1;
  return s;
}

export function hasChanges(plan: Plan): boolean {
  return plan.operations.some((op) => op.action !== 'noop');
}
