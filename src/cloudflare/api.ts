/**
 * What the planner and executor need from Cloudflare, for any account-scoped secondary DNS
 * collection (`tsigs`, `peers`, later `acls`). The real implementation is
 * createSecondaryDnsApi() in secondary-dns.ts; tests use in-memory fakes.
 */
export interface ApiObject {
  id: string;
  name: string;
  [field: string]: unknown;
}

export interface CreateOptions {
  /**
   * How names compare when a lost POST is looked up (e.g. TSIG names: case-insensitive, one
   * trailing dot). Default: exact equality.
   */
  sameName?: (a: string, b: string) => boolean;
}

/** A name whose POST was sent again after a lost answer, and now has several objects. */
export interface ResentDuplicate {
  collection: string;
  name: string;
  ids: string[];
}

export interface SecondaryDnsApi {
  /** Every object of the collection (all pages). */
  list(collection: string): Promise<ApiObject[]>;
  /**
   * Creates one object. Must never create two: when the outcome of the POST is unknown
   * (timeout, dropped connection, 5xx), look the name up and adopt what the lost request made.
   */
  create(collection: string, body: Record<string, unknown>, options?: CreateOptions): Promise<ApiObject>;
  /** PUT: replaces the whole object. */
  replace(collection: string, id: string, body: Record<string, unknown>): Promise<ApiObject>;
  remove(collection: string, id: string): Promise<void>;
  /**
   * After a run: lists again each name whose POST was sent more than once (a lost answer, then
   * nothing found) and returns those the account now holds more than once. Optional: in-memory
   * fakes need not implement it.
   */
  recheckResent?(): Promise<ResentDuplicate[]>;
}
