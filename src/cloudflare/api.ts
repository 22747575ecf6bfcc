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

export interface SecondaryDnsApi {
  /** Every object of the collection (all pages). */
  list(collection: string): Promise<ApiObject[]>;
  /**
   * Creates one object. Must never create two: when the outcome of the POST is unknown
   * (timeout, dropped connection, 5xx), look the name up and adopt what the lost request made.
   */
  create(collection: string, body: Record<string, unknown>): Promise<ApiObject>;
  /** PUT: replaces the whole object. */
  replace(collection: string, id: string, body: Record<string, unknown>): Promise<ApiObject>;
  remove(collection: string, id: string): Promise<void>;
}
