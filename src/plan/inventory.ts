import type { KindName } from '../resources/types.js';
import type { Secret } from '../secret.js';

/**
 * What dnsctl knows from earlier runs (the state file): which objects it created or adopted,
 * and salted fingerprints of the secrets it last wrote. The planner only reads it.
 */
export interface Inventory {
  /** The id dnsctl recorded for this resource, if any. */
  idOf(kind: KindName, name: string): string | undefined;
  /** Whether dnsctl created or adopted the object with this id (so may delete it). */
  manages(kind: KindName, id: string): boolean;
  /**
   * Whether `secret` is the value dnsctl last wrote to this field: true/false, or undefined
   * when there is no record. Used only when the API does not return the secret.
   */
  secretMatches(kind: KindName, name: string, field: string, secret: Secret): boolean | undefined;
}

export const emptyInventory: Inventory = {
  idOf: () => undefined,
  manages: () => false,
  secretMatches: () => undefined,
};
