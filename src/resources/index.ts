import { peerKind } from './peer.js';
import { tsigKind } from './tsig.js';
import type { ActualResource, FieldValue, KindName, ResourceKind } from './types.js';
import { Secret } from '../secret.js';

/** Every kind, in dependency order: a kind comes after the kinds it references. */
export const KINDS: readonly ResourceKind[] = [tsigKind, peerKind];

export function kindOf(kind: KindName): ResourceKind {
  const found = KINDS.find((k) => k.kind === kind);
  if (!found) throw new Error(`unknown resource kind ${kind}`);
  return found;
}

/** Kinds whose fields reference `kind` (peers reference TSIGs). */
export function kindsReferencing(kind: KindName): ResourceKind[] {
  return KINDS.filter((k) => k.fields.some((f) => f.ref === kind));
}

/** Turns an API object into the compared shape. */
export function actualFromApi(spec: ResourceKind, obj: { id: string; name: string } & Record<string, unknown>): ActualResource {
  const values: Record<string, FieldValue> = {};
  const refIds: Record<string, string | null> = {};
  for (const field of spec.fields) {
    const raw = obj[field.apiField ?? field.name];
    if (field.ref) {
      refIds[field.name] = typeof raw === 'string' && raw !== '' ? raw : null;
    } else if (field.sensitive) {
      values[field.name] = typeof raw === 'string' ? new Secret(raw) : null;
    } else {
      values[field.name] = spec.normalizeActual ? spec.normalizeActual(field.name, raw) : ((raw ?? null) as FieldValue);
    }
  }
  return { kind: spec.kind, id: obj.id, name: obj.name, values, refIds };
}

/**
 * The request body that makes the object match `values`. References are resolved with
 * `idOf(kind, name)`; unset fields are left out (PUT replaces the whole object).
 * This is the only place a Secret is revealed.
 */
export function apiBody(
  spec: ResourceKind,
  name: string,
  values: Record<string, FieldValue>,
  idOf: (kind: KindName, name: string) => string,
): Record<string, unknown> {
  const body: Record<string, unknown> = { name };
  for (const field of spec.fields) {
    const value = values[field.name] ?? null;
    if (value === null) continue;
    const apiName = field.apiField ?? field.name;
    if (field.ref) body[apiName] = idOf(field.ref, String(value));
    else body[apiName] = value instanceof Secret ? value.reveal() : value;
  }
  return body;
}
