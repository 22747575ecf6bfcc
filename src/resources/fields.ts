/**
 * Field values between the API and dnsctl: reading an answer into the compared shape, and
 * writing the body that makes an object match. Derived from each kind's FieldSpecs.
 */
import type { ApiObject } from '../cloudflare/api.js';
import { Secret } from '../secret.js';
import type { ActualResource, FieldSpec, FieldValue, ResourceKind, WriteTarget } from './types.js';

export function apiName(field: FieldSpec): string {
  return field.apiField ?? field.name;
}

/** Fields sent in a body (zone kinds may set some through actions instead). */
export function isReference(field: FieldSpec): boolean {
  return field.type === 'ref' || field.type === 'refs';
}

/**
 * An API value in the compared form: "" / 0 / null / absent are "not set" where the API uses them
 * so (unsetValue), a boolean absent is false, an unknown shape is kept as text (never a crash).
 */
export function readField(field: FieldSpec, raw: unknown): FieldValue {
  switch (field.type) {
    case 'boolean':
      return raw === true;
    case 'secret':
      return typeof raw === 'string' && raw !== '' ? new Secret(raw) : null;
    case 'ref':
      return typeof raw === 'string' && raw !== '' ? raw : null;
    case 'refs':
      return Array.isArray(raw) ? raw.filter((id): id is string => typeof id === 'string') : [];
    default:
      if (raw === undefined || raw === null || raw === (field.unsetValue ?? null)) return null;
      if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return raw;
      return JSON.stringify(raw);
  }
}

/** An API object as dnsctl compares it: references as ids, everything else normalised. */
export function actualFromApi(spec: ResourceKind, obj: ApiObject, zoneId?: string): ActualResource {
  const values: Record<string, FieldValue> = {};
  const refIds: ActualResource['refIds'] = {};
  for (const field of spec.fields) {
    const value = readField(field, obj[apiName(field)]);
    if (isReference(field)) refIds[field.name] = value as string | null | readonly string[];
    else values[field.name] = value;
  }
  return { kind: spec.kind, id: obj.id, name: obj.name, values, refIds, ...(zoneId ? { zoneId } : {}) };
}

/**
 * The request body that makes the object match `target`: every field, and a field that is not
 * set sent explicitly as its unset value (whether the API's PUT replaces or merges, it clears).
 * This is the only place a Secret is revealed.
 */
export function apiBody(fields: FieldSpec[], target: WriteTarget): Record<string, unknown> {
  const body: Record<string, unknown> = { name: target.name };
  for (const field of fields) {
    const value = target.fields[field.name];
    body[apiName(field)] = value === null || value === undefined ? (field.unsetValue ?? null) : value instanceof Secret ? value.reveal() : value;
  }
  return body;
}

/** The form a value is compared in: the field's canonical form, reference sets sorted. */
export function comparable(field: FieldSpec, value: FieldValue): FieldValue {
  if (Array.isArray(value)) return [...new Set(value as string[])].sort();
  return field.canonical && value !== null ? field.canonical(value) : value;
}

export function sameComparable(a: FieldValue, b: FieldValue): boolean {
  if (a instanceof Secret) return a.equals(b as Secret | string | null);
  if (b instanceof Secret) return b.equals(a as string | null);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]);
  }
  return a === b;
}

/** Names of the fields whose value in an answer differs from what was sent (a secret not echoed is not a difference). */
export function fieldsDiffering(fields: FieldSpec[], sent: Record<string, unknown>, answer: Record<string, unknown>): string[] {
  return fields
    .filter((field) => {
      const key = apiName(field);
      if (field.type === 'secret' && answer[key] === undefined) return false;
      const a = comparable(field, readField(field, sent[key]));
      const b = comparable(field, readField(field, answer[key]));
      return !sameComparable(a, b);
    })
    .map((field) => field.name);
}
