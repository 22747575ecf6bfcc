import { KINDS, kindOf, kindsReferencing } from '../resources/index.js';
import { comparable, sameComparable } from '../resources/fields.js';
import {
  resourceKey,
  type ActualResource,
  type ActualState,
  type DesiredResource,
  type DesiredState,
  type FieldSpec,
  type FieldValue,
  type KindName,
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
    for (const stale of sortedByName(matching.deletable.filter((d) => d.obj.kind === spec.kind).map((d) => ({ ...d, name: d.obj.name, id: d.obj.id })))) {
      operations.push(deleteOperation(spec, stale, actual, matching));
    }
  }
  return { accountId: desired.accountId, operations, unmanaged: matching.unmanaged };
}

/** An account object's identity across kinds (zone links share their zone's id). */
const objectKey = (obj: { kind: KindName; id: string }) => `${obj.kind}/${obj.id}`;
const nameKey = (kind: KindName, name: string) => resourceKey(kind, kindOf(kind).canonicalName(name));

interface Deletable {
  obj: ActualResource;
  reason: string;
}

interface Matching {
  /** resourceKey → the account object the desired resource is matched to. */
  matched: Map<string, ActualResource>;
  /** resourceKey → every candidate, when the name is ambiguous. */
  ambiguous: Map<string, ActualResource[]>;
  /** Objects to delete: managed ones the config no longer declares, duplicates of declared names. */
  deletable: Deletable[];
  unmanaged: UnmanagedObject[];
  byObjectKey: Map<string, ActualResource>;
  zoneIds: Map<string, string | null>;
  inventory: Inventory;
}

function matchResources(desired: DesiredState, actual: ActualState, inventory: Inventory): Matching {
  const byName = new Map<string, ActualResource[]>();
  for (const obj of actual.resources) {
    const key = nameKey(obj.kind, obj.name);
    byName.set(key, [...(byName.get(key) ?? []), obj]);
  }
  const byObjectKey = new Map(actual.resources.map((r) => [objectKey(r), r]));
  const declared = new Set(desired.resources.map((r) => resourceKey(r.kind, r.name)));
  const matched = new Map<string, ActualResource>();
  const ambiguous = new Map<string, ActualResource[]>();
  const duplicates: Deletable[] = [];
  const claimed = new Set<string>();

  for (const want of desired.resources) {
    const key = resourceKey(want.kind, want.name);
    const candidates = byName.get(key) ?? [];
    const recordedId = inventory.idOf(want.kind, want.name);
    if (candidates.length === 1) {
      matched.set(key, candidates[0]!);
    } else if (candidates.length > 1) {
      const recorded = candidates.find((c) => c.id === recordedId);
      if (!recorded) {
        ambiguous.set(key, candidates);
        continue;
      }
      matched.set(key, recorded);
      for (const extra of candidates.filter((c) => c !== recorded)) {
        duplicates.push({ obj: extra, reason: `duplicate of ${kindOf(want.kind).label} "${want.name}" (id ${recorded.id}, the one dnsctl manages)` });
      }
    } else {
      const renamed = renamedObject(want, recordedId, byName, byObjectKey, declared);
      if (renamed && renamed.length === 1) matched.set(key, renamed[0]!);
      else if (renamed && renamed.length > 1) ambiguous.set(key, renamed);
    }
  }
  for (const obj of matched.values()) claimed.add(objectKey(obj));
  for (const candidates of ambiguous.values()) candidates.forEach((c) => claimed.add(objectKey(c)));
  for (const d of duplicates) claimed.add(objectKey(d.obj));

  const manageAll = desired.manage === 'all';
  const deletable: Deletable[] = [...duplicates];
  const unmanaged: UnmanagedObject[] = [];
  for (const obj of actual.resources) {
    if (claimed.has(objectKey(obj))) continue;
    // An object whose name the config declares is never a leftover (it is a duplicate, handled above).
    const undeclared = !declared.has(nameKey(obj.kind, obj.name));
    if (undeclared && inventory.manages(obj.kind, obj.id)) {
      deletable.push({ obj, reason: 'no longer declared in the config; the state file records it as managed by dnsctl' });
    } else if (undeclared && manageAll) {
      deletable.push({ obj, reason: 'not declared in the config, which says manage: all' });
    } else {
      unmanaged.push({ kind: obj.kind, name: obj.name, id: obj.id });
    }
  }
  unmanaged.sort((a, b) => compareStrings(`${a.kind}:${a.name}:${a.id}`, `${b.kind}:${b.name}:${b.id}`));
  const zoneIds = new Map<string, string | null>((actual.zones ?? desired.zones ?? []).map((z) => [z.name, z.id]));
  return { matched, ambiguous, deletable, unmanaged, byObjectKey, zoneIds, inventory };
}

/**
 * A declared resource not found under its name: the object the state file recorded for it (renamed
 * by hand), else one found under a previous name (`previous_names`). Renamed back with one PUT,
 * its id (and every link to it) kept.
 */
function renamedObject(
  want: DesiredResource,
  recordedId: string | undefined,
  byName: Map<string, ActualResource[]>,
  byObjectKey: Map<string, ActualResource>,
  declared: Set<string>,
): ActualResource[] | null {
  if (kindOf(want.kind).scope !== 'account') return null;
  const recorded = recordedId ? byObjectKey.get(objectKey({ kind: want.kind, id: recordedId })) : undefined;
  if (recorded && !declared.has(nameKey(recorded.kind, recorded.name))) return [recorded];
  for (const previous of want.previousNames ?? []) {
    const found = (byName.get(nameKey(want.kind, previous)) ?? []).filter((obj) => !declared.has(nameKey(obj.kind, obj.name)));
    if (found.length > 0) return found;
  }
  return null;
}

function operationFor(spec: ResourceKind, want: DesiredResource, matching: Matching): Operation {
  const key = resourceKey(want.kind, want.name);
  const dependsOn = referenceDependencies(spec, want, matching);
  const zone = spec.scope === 'zone' ? { zoneId: matching.zoneIds.get(want.name) ?? want.zone?.id ?? null } : {};
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
        `the account holds ${candidates.length} ${spec.label}s named "${candidates[0]!.name}" ` +
        `(ids ${candidates.map((c) => c.id).join(', ')}) and the state file records none of them; ` +
        `delete or rename the extra ones in Cloudflare so that dnsctl does not have to guess`,
      ...zone,
    };
  }
  const current = matching.matched.get(key);
  if (!current) {
    const changes = spec.fields
      .map((f): FieldChange => ({ field: f.name, before: null, after: display(f, want.values[f.name] ?? null), sensitive: f.type === 'secret' }))
      .filter((c) => c.after !== null);
    return { id: key, action: 'create', kind: want.kind, name: want.name, cloudflareId: null, changes, dependsOn, desired: want, ...zone };
  }
  const changes = fieldChanges(spec, want, current, matching);
  if (spec.scope === 'account' && spec.canonicalName(current.name) !== want.name) {
    changes.unshift({ field: 'name', before: current.name, after: want.name, sensitive: false });
  }
  return {
    id: key,
    action: changes.length > 0 ? 'update' : 'noop',
    kind: want.kind,
    name: want.name,
    cloudflareId: current.id,
    changes,
    dependsOn: changes.length > 0 ? dependsOn : [],
    desired: want,
    ...zone,
  };
}

function referencedNames(value: FieldValue): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? [...(value as string[])] : [];
}

/** An operation must wait for the creation of what it references (its id does not exist yet). */
function referenceDependencies(spec: ResourceKind, want: DesiredResource, matching: Matching): string[] {
  const deps = new Set<string>();
  for (const field of spec.fields) {
    if (!field.ref) continue;
    for (const target of referencedNames(want.values[field.name] ?? null)) {
      const key = resourceKey(field.ref, target);
      if (!matching.matched.has(key)) deps.add(key);
    }
  }
  return [...deps].sort(compareStrings);
}

function fieldChanges(spec: ResourceKind, want: DesiredResource, current: ActualResource, matching: Matching): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of spec.fields) {
    const desiredValue = want.values[field.name] ?? null;
    if (field.type === 'refs') {
      const change = referenceSetChange(field, desiredValue, current.refIds[field.name], matching);
      if (change) changes.push(change);
      continue;
    }
    if (field.type === 'ref') {
      const currentId = (current.refIds[field.name] as string | null | undefined) ?? null;
      const wantedId = typeof desiredValue === 'string' ? (matching.matched.get(resourceKey(field.ref!, desiredValue))?.id ?? null) : null;
      const same = desiredValue === null ? currentId === null : wantedId !== null && wantedId === currentId;
      if (!same) {
        changes.push({ field: field.name, before: nameOfReference(field.ref!, currentId, matching), after: display(field, desiredValue), sensitive: false });
      }
      continue;
    }
    const currentValue = current.values[field.name] ?? null;
    if (!sameValue(field, desiredValue, currentValue, () => secretFallback(want, field.name, matching))) {
      changes.push({ field: field.name, before: display(field, currentValue), after: display(field, desiredValue), sensitive: field.type === 'secret' });
    }
  }
  return changes;
}

/** A set of references (a link's peers): equal when the same objects, whatever the order. */
function referenceSetChange(field: FieldSpec, desiredValue: FieldValue, currentIds: unknown, matching: Matching): FieldChange | null {
  const wantedNames = [...new Set(referencedNames(desiredValue))].sort(compareStrings);
  const ids = Array.isArray(currentIds) ? (currentIds as string[]) : [];
  const currentNames = [...new Set(ids.map((id) => String(nameOfReference(field.ref!, id, matching))))].sort(compareStrings);
  const wantedIds = wantedNames.map((name) => matching.matched.get(resourceKey(field.ref!, name))?.id ?? null);
  const currentSet = new Set(ids);
  const same = wantedIds.length === currentSet.size && wantedIds.every((id) => id !== null && currentSet.has(id));
  if (same) return null;
  const wantedIdSet = new Set(wantedIds);
  const removed = [...new Set(ids.filter((id) => !wantedIdSet.has(id)).map((id) => String(nameOfReference(field.ref!, id, matching))))].sort(compareStrings);
  const added = wantedNames.filter((_, i) => wantedIds[i] === null || !currentSet.has(wantedIds[i]!));
  return { field: field.name, before: currentNames, after: wantedNames, sensitive: false, added, removed };
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

function sameValue(field: FieldSpec, desired: FieldValue, current: FieldValue, whenSecretUnknown: () => boolean): boolean {
  if (desired instanceof Secret && current === null) return whenSecretUnknown();
  return sameComparable(comparable(field, desired), comparable(field, current));
}

function deleteOperation(spec: ResourceKind, stale: Deletable, actual: ActualState, matching: Matching): Operation {
  const { obj } = stale;
  const changes: FieldChange[] = spec.fields
    .map((f): FieldChange => ({ field: f.name, before: currentDisplay(f, obj, matching), after: null, sensitive: f.type === 'secret' }))
    .filter((c) => c.before !== null && !(Array.isArray(c.before) && c.before.length === 0));
  const { detach, blockers } = referrersOf(obj, actual, matching);
  const base = {
    id: `${resourceKey(obj.kind, obj.name)}#${obj.id}`,
    kind: obj.kind,
    name: obj.name,
    cloudflareId: obj.id,
    desired: null,
    ...(spec.scope === 'zone' ? { zoneId: obj.zoneId ?? obj.id } : {}),
  };
  if (blockers.length > 0) {
    return {
      ...base,
      action: 'conflict',
      changes: [],
      dependsOn: [],
      reason:
        `dnsctl would delete this ${spec.label} (${stale.reason}), but ` +
        `${blockers.map((b) => `${kindOf(b.kind).label} "${b.name}" (id ${b.id})`).join(', ')} ` +
        `still use${blockers.length === 1 ? 's' : ''} it and ${blockers.length === 1 ? 'is' : 'are'} not managed by dnsctl; ` +
        `change ${blockers.length === 1 ? 'it' : 'them'} in Cloudflare first, or declare the ${spec.label} again`,
    };
  }
  return { ...base, action: 'delete', changes, dependsOn: detach, reason: stale.reason };
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
  const matchedKeys = new Map([...matching.matched.entries()].map(([key, obj]) => [objectKey(obj), key]));
  const deletableKeys = new Set(matching.deletable.map((d) => objectKey(d.obj)));
  for (const referrerKind of kindsReferencing(stale.kind)) {
    const refFields = referrerKind.fields.filter((f) => f.ref === stale.kind).map((f) => f.name);
    for (const obj of actual.resources) {
      if (obj.kind !== referrerKind.kind || !refFields.some((f) => pointsAt(obj.refIds[f], stale.id))) continue;
      const key = matchedKeys.get(objectKey(obj));
      if (key) detach.push(key);
      else if (deletableKeys.has(objectKey(obj))) detach.push(`${resourceKey(obj.kind, obj.name)}#${obj.id}`);
      else blockers.push(obj);
    }
  }
  return { detach: detach.sort(compareStrings), blockers };
}

function pointsAt(ref: string | null | readonly string[] | undefined, id: string): boolean {
  return Array.isArray(ref) ? ref.includes(id) : ref === id;
}

function currentDisplay(field: FieldSpec, obj: ActualResource, matching: Matching): DisplayValue {
  if (field.type === 'ref') return nameOfReference(field.ref!, (obj.refIds[field.name] as string | null | undefined) ?? null, matching);
  if (field.type === 'refs') {
    const ids = (obj.refIds[field.name] as readonly string[] | undefined) ?? [];
    return ids.map((id) => String(nameOfReference(field.ref!, id, matching))).sort(compareStrings);
  }
  return display(field, obj.values[field.name] ?? null);
}

function nameOfReference(kind: KindName, id: string | null, matching: Matching): DisplayValue {
  if (id === null) return null;
  return matching.byObjectKey.get(objectKey({ kind, id }))?.name ?? `(unknown id ${id})`;
}

function display(field: FieldSpec, value: FieldValue): DisplayValue {
  if (value === null) return null;
  if (field.type === 'secret' || value instanceof Secret) return SENSITIVE;
  if (Array.isArray(value)) return [...(value as string[])].sort(compareStrings);
  return value as DisplayValue;
}

function sortedByName<T extends { name: string; id?: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.id ?? '', b.id ?? ''));
}

/** Locale-independent, so the plan is the same on every machine. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
