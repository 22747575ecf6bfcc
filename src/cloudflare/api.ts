/**
 * What the resource kinds need from Cloudflare: a few REST verbs over paths relative to the API
 * base URL (`/accounts/{a}/secondary_dns/peers`, `/zones/{z}/secondary_dns/incoming`). The kinds
 * (src/resources) know their paths and bodies; this layer knows the envelope, paging, retries and
 * how to create without ever creating twice. The real implementation is createSecondaryDnsApi()
 * in secondary-dns.ts; tests use in-memory fakes.
 */
export interface ApiObject {
  id: string;
  name: string;
  [field: string]: unknown;
}

/** A name whose POST was sent again after a lost answer, and that now has several objects. */
export interface ResentDuplicate {
  /** The collection's path. */
  collection: string;
  name: string;
  ids: string[];
}

export interface SecondaryDnsApi {
  readonly accountId: string;
  /** Every item of a list (all pages). */
  list(path: string): Promise<unknown[]>;
  /** One object or value; null when the API answers 404 (absent). */
  get(path: string): Promise<unknown>;
  /**
   * POSTs a new named object to a collection. Must never create two: when the outcome of the POST
   * is unknown (timeout, dropped connection, 5xx), list the collection and adopt the one object
   * that `isOurs` recognises (the planner creates only names the account did not hold).
   */
  create(path: string, body: Record<string, unknown>, isOurs: (obj: ApiObject) => boolean): Promise<ApiObject>;
  /** POST (a singleton such as a zone link, or an action like `outgoing/enable`) or PUT; the answer's result. */
  send(method: 'POST' | 'PUT', path: string, body: Record<string, unknown>): Promise<unknown>;
  /** DELETE; a 404 means already gone. */
  remove(path: string): Promise<void>;
  /**
   * After a run: lists again each collection where a POST was sent more than once (a lost answer,
   * then nothing found) and returns the names it now holds more than once. Optional: in-memory
   * fakes need not implement it.
   */
  recheckResent?(): Promise<ResentDuplicate[]>;
}

/** Paths of the account-scoped and zone-scoped secondary DNS objects. */
export function accountPath(accountId: string, collection: string, id?: string): string {
  const base = `/accounts/${encodeURIComponent(accountId)}/secondary_dns/${collection}`;
  return id === undefined ? base : `${base}/${encodeURIComponent(id)}`;
}

export function zonePath(zoneId: string, rest: string): string {
  return `/zones/${encodeURIComponent(zoneId)}/secondary_dns/${rest}`;
}
