import type { SecondaryDnsApi } from '../cloudflare/api.js';
import type { Secret } from '../secret.js';

/** The kinds dnsctl manages. Adding one = one module in src/resources + an entry in index.ts. */
export type KindName = 'tsig' | 'peer' | 'acl' | 'incoming' | 'outgoing';

/** A field value as dnsctl compares it. `null` means "not set"; a reference list is names (desired) or ids (actual). */
export type FieldValue = string | number | boolean | null | Secret | readonly string[];

/**
 * How a field is typed. `ref` names one resource of another kind, `refs` a set of them (order
 * and repeats do not matter); the API holds their ids.
 */
export type FieldType = 'string' | 'integer' | 'boolean' | 'secret' | 'ref' | 'refs';

/** A problem with one field value, found by the field's own check. */
export interface FieldIssue {
  message: string;
  severity: 'error' | 'warning';
}

export interface FieldSpec {
  /** Field name in the config (snake_case like the API, except references). */
  name: string;
  /** Field name in the API when it differs (a reference `tsig` is `tsig_id` in the API). */
  apiField?: string;
  type: FieldType;
  /** For `ref`/`refs`: the kind referenced. */
  ref?: KindName;
  /** The value when the config leaves the field out (may depend on the item: a peer's port). */
  default?: FieldValue | ((item: Record<string, unknown>) => FieldValue);
  required?: boolean;
  /** What the API holds for "not set", and what is sent to clear the field. Default `null`. */
  unsetValue?: string | number | boolean | null;
  /** JSON Schema keywords for the value: description, examples, enum, minimum, pattern, ... */
  schema: Record<string, unknown>;
  /** Checks beyond JSON Schema (an IP address's kind, a CIDR's width). Values are already of the right type. */
  check?: (value: string | number | boolean) => FieldIssue[];
  /** The form two values are compared in (one IPv6 address has many spellings). */
  canonical?: (value: FieldValue) => FieldValue;
}

/** A zone as the config declares it, or as resolved against the account. */
export interface ZoneRef {
  /** Canonical: lower case, no trailing dot. */
  name: string;
  /** The Cloudflare zone id; null until resolved by name. */
  id: string | null;
  position?: SourcePosition;
}

/** Where a write lands: the object's id (account kinds) or its zone (zone kinds). */
export interface WriteTarget {
  name: string;
  /** The object's id: null for a create of an account-scoped object. For zone kinds, the zone id. */
  id: string | null;
  zoneId: string | null;
  /** Every field, references resolved to ids, secrets revealed: ready for the API body. */
  fields: Record<string, unknown>;
}

export interface ResourceKind {
  kind: KindName;
  /** `account`: a named object in an account collection; `zone`: one per zone, identified by the zone id. */
  scope: 'account' | 'zone';
  /** Key in the config: a top-level list (`tsigs`) or, for zone kinds, a key of a zone (`incoming`). */
  configKey: string;
  /** Singular label for people: "TSIG", "peer", "incoming transfer link". */
  label: string;
  /** Heading of the kind's section in plans. */
  title: string;
  /** What one item is, for the JSON Schema and the README. */
  description: string;
  /** Fields other than `name`, in display order. */
  fields: FieldSpec[];
  /** JSON Schema of the `name` of an account-scoped kind. */
  nameSchema?: Record<string, unknown>;
  /** The form names are compared in (TSIG names are DNS names: lower case, one trailing dot). */
  canonicalName(name: string): string;
  /** Reads what the account holds of this kind (account kinds: one list; zone kinds: per declared zone). */
  observe(api: SecondaryDnsApi, zones: ZoneRef[]): Promise<ActualResource[]>;
  /**
   * Makes the object exist as `target` says; returns its id. `created` is told the id as soon as
   * the object exists (a later step may still fail: a partial create).
   */
  create(api: SecondaryDnsApi, target: WriteTarget, created?: (id: string) => void): Promise<string>;
  /** Makes the existing object match `target`; `changed` names the fields that differ. */
  update(api: SecondaryDnsApi, target: WriteTarget, changed: string[]): Promise<void>;
  remove(api: SecondaryDnsApi, target: WriteTarget): Promise<void>;
}

/** Position of a resource (or field) in the config file. */
export interface SourcePosition {
  line: number;
  col: number;
}

/** One resource as the config declares it, references still by name. */
export interface DesiredResource {
  kind: KindName;
  /** Canonical name (zone kinds: the zone name). */
  name: string;
  /** Every field of the kind (defaults filled in), keyed by config field name. */
  values: Record<string, FieldValue>;
  /** Names this resource was known by before (`previous_names`): found under one, it is renamed. */
  previousNames?: string[];
  /** Zone kinds: the zone. */
  zone?: ZoneRef;
  position?: SourcePosition;
}

/** One object as the account holds it, in the same shape: references by id (`refIds`). */
export interface ActualResource {
  kind: KindName;
  id: string;
  /** As the account spells it (compare with canonicalName). */
  name: string;
  /** Non-reference fields, normalised, keyed by config field name. */
  values: Record<string, FieldValue>;
  /** Reference fields: config field name → referenced object's id (null when unset), or ids for `refs`. */
  refIds: Record<string, string | null | readonly string[]>;
  /** Zone kinds: the zone id. */
  zoneId?: string;
}

export type ManageMode = 'declared' | 'all';

export interface DesiredState {
  accountId: string;
  resources: DesiredResource[];
  /** The zones the config declares (whether or not they have links). */
  zones?: ZoneRef[];
  /** `declared` (default): delete only what the state file records; `all`: the file is the whole truth. */
  manage?: ManageMode;
  /** `max_deletes:` — apply refuses a plan with more deletes (default: max(3, 30 % of the managed objects)). */
  maxDeletes?: number;
}

export interface ActualState {
  resources: ActualResource[];
  /** The declared zones with their ids resolved. */
  zones?: ZoneRef[];
}

export function resourceKey(kind: KindName, name: string): string {
  return `${kind}:${name}`;
}
