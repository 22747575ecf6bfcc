import { aclKind } from './acl.js';
import { incomingKind } from './incoming.js';
import { outgoingKind } from './outgoing.js';
import { peerKind } from './peer.js';
import { tsigKind } from './tsig.js';
import type { KindName, ResourceKind } from './types.js';

export { actualFromApi, apiBody } from './fields.js';

/** Every kind, in dependency order: a kind comes after the kinds it references. */
export const KINDS: readonly ResourceKind[] = [tsigKind, peerKind, aclKind, incomingKind, outgoingKind];

export const ACCOUNT_KINDS: readonly ResourceKind[] = KINDS.filter((k) => k.scope === 'account');
export const ZONE_KINDS: readonly ResourceKind[] = KINDS.filter((k) => k.scope === 'zone');

export function kindOf(kind: KindName): ResourceKind {
  const found = KINDS.find((k) => k.kind === kind);
  if (!found) throw new Error(`unknown resource kind ${kind}`);
  return found;
}

/** Kinds whose fields reference `kind` (peers reference TSIGs, links reference peers). */
export function kindsReferencing(kind: KindName): ResourceKind[] {
  return KINDS.filter((k) => k.fields.some((f) => f.ref === kind));
}
