import { KINDS, kindOf, kindsReferencing } from '../resources/index.js';
import {
  resourceKey,
  type ActualResource,
  type ActualState,
  type DesiredResource,
  type DesiredState,
  type FieldValue,
  type ResourceKind,
} from '../resources/types.js';
import { SENSITIVE, Secret } from '../secret.js';
import type { Inventory } from './inventory.js';
import type { DisplayValue, FieldChange, Operation, Plan, UnmanagedObject } from './types.js';

/**
 * The pure heart of dnsctl: desired + actual + inventory → the operations that make the
 * account match. No I/O; the same inputs always give the same plan, in the same order.
 */
export function buildPlan(desired: DesiredState, actual: ActualState, inventory: Inventory): Plan {
  const matching = matchResources(desired, actual, inventory);
  const operations: Operation[] = [];

  for (const spec of KINDS) {
    for (const want of sortedByName(desired.resources.filter((r) => r.kind === spec.kind))) {
      operations.push(operationFor(spec, want, matching));
    }
  }
  for (const spec of [...KINDS].reverse()) {
    for (const stale of sortedByName(matching.deletable.filter((r) => r.kind === spec.kind))) {
      operations.push(deleteOperation(spec, stale, actual, matching));
    }
  }
  return { accountId: desired.accountId, operations, unmanaged: matching.unmanaged };
}

interface Matching {
  /** resourceKey → the account object the desired resource is matched to. */
  matched: Map<string, ActualResource>;
  /** resourceKey → every candidate, when the name is ambiguous. */
  ambiguous: Map<string, ActualResource[]>;
  /** Objects dnsctl manages that the config no longer declares. */
  deletable: ActualResource[];
  unmanaged: UnmanagedObject[];
  actualById: Map<string, ActualResource>;
  inventory: Inventory;
}

function matchResources(desired: DesiredState, actual: ActualState, inventory: Inventory): Matching {
  const byName = new Map<string, ActualResource[]>();
  for (const obj of actual.resources) {
    const key = resourceKey(obj.kind, obj.name);
    byName.set(key, [...(byName.get(key) ?? []), obj]);
  }
  const matched = new Map<string, ActualResource>();
  const ambiguous = new Map<string, ActualResource[]>();
  const claimed = new Set<string>();
  const declared = new Set(desired.resources.map((r) => resourceKey(r.kind, r.name)));

  for (const want of desired.resources) {
    const key = resourceKey(want.kind, want.name);
    const candidates = byName.get(key) ?? [];
    if (candidates.length === 1) {
      matched.set(key, candidates[0]!);
    } else if (candidates.length > 1) {
      const recordedId = inventory.idOf(want.kind, want.name);
      const recorded = candidates.find((c) => c.id === recordedId);
      if (recorded) matched.set(key, recorded);
      else ambiguous.set(key, candidates);
    }
  }
  for (const obj of matched.values()) claimed.add(obj.id);
  for (const candidates of ambiguous.values()) candidates.forEach((c) => claimed.add(c.id));

  const deletable: ActualResource[] = [];
  const unmanaged: UnmanagedObject[] = [];
  for (const obj of actual.resources) {
    if (claimed.has(obj.id)) continue;
    // Never delete an object whose name the config declares: it is a duplicate, not a leftover.
    if (inventory.manages(obj.kind, obj.id) && !declared.has(resourceKey(obj.kind, obj.name))) deletable.push(obj);
    else unmanaged.push({ kind: obj.kind, name: obj.name, id: obj.id });
  }
  unmanaged.sort((a, b) => compareStrings(`${a.kind}:${a.name}:${a.id}`, `${b.kind}:${b.name}:${b.id}`));
  const actualById = new Map(actual.resources.map((r) => [r.id, r]));
  return { matched, ambiguous, deletable, unmanaged, actualById, inventory };
}

function operationFor(spec: ResourceKind, want: DesiredResource, matching: Matching): Operation {
  const key = resourceKey(want.kind, want.name);
  const dependsOn = referenceDependencies(spec, want, matching);
  const candidates = matching.ambiguous.get(key);
  if (candidates) {
    return {
      id: key,
      action: 'conflict',
      kind: want.kind,
      name: want.name,
      cloudflareId: null,
      changes: [],
      dependsOn,
      desired: want,
      reason:
        `the account holds ${candidates.length} ${spec.label}s named "${want.name}" ` +
        `(ids ${candidates.map((c) => c.id).join(', ')}) and the state file records none of them; ` +
        `delete or rename the extra ones in Cloudflare so that dnsctl does not have to guess`,
    };
  }
  const current = matching.matched.get(key);
  if (!current) {
    const changes = spec.fields
      .map((f) => ({ field: f.name, before: null, after: display(want.values[f.name] ?? null, f.sensitive), sensitive: !!f.sensitive }))
      .filter((c) => c.after !== null);
    return { id: key, action: 'create', kind: want.kind, name: want.name, cloudflareId: null, changes, dependsOn, desired: want };
  }
  const changes = fieldChanges(spec, want, current, matching);
  return {
    id: key,
    action: changes.length > 0 ? 'update' : 'noop',
    kind: want.kind,
    name: want.name,
    cloudflareId: current.id,
    changes,
    dependsOn: changes.length > 0 ? dependsOn : [],
    desired: want,
  };
}

/** An operation must wait for the creation of what it references (its id does not exist yet). */
function referenceDependencies(spec: ResourceKind, want: DesiredResource, matching: Matching): string[] {
  const deps: string[] = [];
  for (const field of spec.fields) {
    const target = want.values[field.name];
    if (!field.ref || typeof target !== 'string') continue;
    const key = resourceKey(field.ref, target);
    if (!matching.matched.has(key)) deps.push(key);
  }
  return deps;
}

function fieldChanges(spec: ResourceKind, want: DesiredResource, current: ActualResource, matching: Matching): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of spec.fields) {
    const desiredValue = want.values[field.name] ?? null;
    if (field.ref) {
      const currentId = current.refIds[field.name] ?? null;
      const wantedId = typeof desiredValue === 'string' ? matching.matched.get(resourceKey(field.ref, desiredValue))?.id ?? null : null;
      const same = desiredValue === null ? currentId === null : wantedId !== null && wantedId === currentId;
      if (!same) {
        changes.push({ field: field.name, before: nameOfReference(currentId, matching), after: display(desiredValue), sensitive: false });
      }
      continue;
    }
    const currentValue = current.values[field.name] ?? null;
    const canonical = (value: FieldValue) => (spec.canonical ? spec.canonical(field.name, value) : value);
    if (!sameValue(canonical(desiredValue), canonical(currentValue), () => secretFallback(want, field.name, matching))) {
      changes.push({
        field: field.name,
        before: display(currentValue, field.sensitive),
        after: display(desiredValue, field.sensitive),
        sensitive: !!field.sensitive,
      });
    }
  }
  return changes;
}

/**
 * When the API does not return a secret, compare with the fingerprint dnsctl recorded when it
 * last wrote it; with no record, assume it differs (one write, then it is recorded).
 */
function secretFallback(want: DesiredResource, field: string, matching: Matching): boolean {
  const secret = want.values[field];
  if (!(secret instanceof Secret)) return false;
  return matching.inventory.secretMatches(want.kind, want.name, field, secret) ?? false;
}

function sameValue(desired: FieldValue, current: FieldValue, whenSecretUnknown: () => boolean): boolean {
  if (desired instanceof Secret) return current === null ? whenSecretUnknown() : desired.equals(current as Secret | string);
  if (current instanceof Secret) return current.equals(desired as string | null);
  return desired === current;
}

function deleteOperation(spec: ResourceKind, stale: ActualResource, actual: ActualState, matching: Matching): Operation {
  const changes: FieldChange[] = spec.fields
    .map((f) => ({
      field: f.name,
      before: f.ref ? nameOfReference(stale.refIds[f.name] ?? null, matching) : display(stale.values[f.name] ?? null, f.sensitive),
      after: null,
      sensitive: !!f.sensitive,
    }))
    .filter((c) => c.before !== null);
  const { detach, blockers } = referrersOf(stale, actual, matching);
  const base = {
    id: `${resourceKey(stale.kind, stale.name)}#${stale.id}`,
    kind: stale.kind,
    name: stale.name,
    cloudflareId: stale.id,
    desired: null,
  };
  if (blockers.length > 0) {
    return {
      ...base,
      action: 'conflict',
      changes: [],
      dependsOn: [],
      reason:
        `dnsctl would delete this ${spec.label} (the config no longer declares it), but ` +
        `${blockers.map((b) => `${kindOf(b.kind).label} "${b.name}" (id ${b.id})`).join(', ')} ` +
        `still use${blockers.length === 1 ? 's' : ''} it and ${blockers.length === 1 ? 'is' : 'are'} not managed by dnsctl; ` +
        `change ${blockers.length === 1 ? 'it' : 'them'} in Cloudflare first, or declare the ${spec.label} again`,
    };
  }
  return { ...base, action: 'delete', changes, dependsOn: detach };
}

/**
 * Who points at an object about to be deleted. `detach`: operations of this plan that move the
 * reference away (updates) or remove the referrer (deletes); the delete waits for them.
 * `blockers`: objects dnsctl does not manage (made by hand, or ambiguous) that would be left
 * pointing at nothing; dnsctl refuses the delete rather than break them.
 */
function referrersOf(stale: ActualResource, actual: ActualState, matching: Matching): { detach: string[]; blockers: ActualResource[] } {
  const detach: string[] = [];
  const blockers: ActualResource[] = [];
  for (const referrerKind of kindsReferencing(stale.kind)) {
    const refFields = referrerKind.fields.filter((f) => f.ref === stale.kind).map((f) => f.name);
    for (const obj of actual.resources) {
      if (obj.kind !== referrerKind.kind || !refFields.some((f) => obj.refIds[f] === stale.id)) continue;
      const key = resourceKey(obj.kind, obj.name);
      if (matching.matched.get(key)?.id === obj.id) detach.push(key);
      else if (matching.deletable.some((d) => d.id === obj.id)) detach.push(`${key}#${obj.id}`);
      else blockers.push(obj);
    }
  }
  return { detach: detach.sort(compareStrings), blockers };
}

function nameOfReference(id: string | null, matching: Matching): DisplayValue {
  if (id === null) return null;
  return matching.actualById.get(id)?.name ?? `(unknown id ${id})`;
}

function display(value: FieldValue, sensitive = false): DisplayValue {
  if (value === null) return null;
  if (sensitive || value instanceof Secret) return SENSITIVE;
  return value;
}

function sortedByName<T extends { name: string; id?: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.id ?? '', b.id ?? ''));
}

/** Locale-independent, so the plan is the same on every machine. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
