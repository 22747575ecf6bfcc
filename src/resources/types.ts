import type { Secret } from '../secret.js';

/** The kinds dnsctl manages. Adding one = one module in src/resources + an entry in index.ts. */
export type KindName = 'tsig' | 'peer' | 'acl' | 'incoming' | 'outgoing';

/** A field value as dnsctl compares it. `null` means "not set". */
export type FieldValue = string | number | boolean | null | Secret;

export interface FieldSpec {
  /** Field name in the config (snake_case like the API, except references). */
  name: string;
  /** Field name in the API when it differs (a reference `tsig` is `tsig_id` in the API). */
  apiField?: string;
  /** Compared but never shown: rendered as "(sensitive)". */
  sensitive?: boolean;
  /** The value names a resource of this kind; the API holds that resource's id. */
  ref?: KindName;
  /** The value when the config leaves the field out. */
  default?: FieldValue;
}

export interface ResourceKind {
  kind: KindName;
  /** Key in the config and path segment of the API collection: `tsigs`, `peers`. */
  collection: string;
  /** Singular label for people: "TSIG", "peer". */
  label: string;
  /** Heading of the kind's section in plans: "TSIG keys", "Peers". */
  title: string;
  /** Fields other than `name`, in display order. */
  fields: FieldSpec[];
  /**
   * How the API creates one: `full-body` POSTs everything; `name-then-replace` POSTs only
   * `{name}` and then PUTs the whole object (Cloudflare peers).
   */
  createWith: 'full-body' | 'name-then-replace';
  /** JSON Schema (draft 2020-12) of one item of the collection in the config. */
  itemSchema: Record<string, unknown>;
  /** Turns an API field value into the compared form ("" and 0 mean "not set" for some fields). */
  normalizeActual?: (field: string, value: unknown) => FieldValue;
  /** The form two values are compared in (one IPv6 address has many spellings). */
  canonical?: (field: string, value: FieldValue) => FieldValue;
}

/** Position of a resource (or field) in the config file. */
export interface SourcePosition {
  line: number;
  col: number;
}

/** One resource as the config declares it, references still by name. */
export interface DesiredResource {
  kind: KindName;
  name: string;
  /** Every field of the kind (defaults filled in), keyed by config field name. */
  values: Record<string, FieldValue>;
  position?: SourcePosition;
}

/** One object as the account holds it, in the same shape: references by id (`refIds`). */
export interface ActualResource {
  kind: KindName;
  id: string;
  name: string;
  /** Non-reference fields, normalised, keyed by config field name. */
  values: Record<string, FieldValue>;
  /** Reference fields: config field name → referenced object's id (null when unset). */
  refIds: Record<string, string | null>;
}

export interface DesiredState {
  accountId: string;
  resources: DesiredResource[];
}

export interface ActualState {
  resources: ActualResource[];
}

export function resourceKey(kind: KindName, name: string): string {
  return `${kind}:${name}`;
}
