import type { SecondaryDnsApi } from './cloudflare/api.js';
import { UnknownZoneError } from './errors.js';
import { KINDS } from './resources/index.js';
import { canonicalZoneName } from './resources/names.js';
import type { ActualState, DesiredState, ZoneRef } from './resources/types.js';

/** Most zones per page of `GET /zones` (Cloudflare's maximum): one request for most accounts. */
const ZONES_PER_PAGE = 50;

/**
 * Reads the account: one list per account-scoped kind and, per declared zone, its links (one GET
 * each, and the outgoing status where an outgoing link exists), all at once. Zones declared
 * without a zone_id are first resolved by name with one paged list of the account's zones.
 */
export async function observeAccount(
  api: SecondaryDnsApi,
  desired: Pick<DesiredState, 'zones'>,
  recordedZones: ZoneRef[] = [],
): Promise<ActualState> {
  const declared = await resolveZones(api, desired.zones ?? []);
  // Links dnsctl made in zones the config no longer declares are read too, so that they are
  // deleted (before the peers they use) rather than left pointing at deleted peers.
  const declaredIds = new Set(declared.map((zone) => zone.id));
  const zones = [...declared, ...recordedZones.filter((zone) => zone.id !== null && !declaredIds.has(zone.id))];
  const lists = await Promise.all(KINDS.map((kind) => kind.observe(api, zones)));
  return { resources: lists.flat(), zones };
}

/** Every zone of the account (one paged list), names canonical. */
export async function listAccountZones(api: SecondaryDnsApi): Promise<Array<ZoneRef & { id: string }>> {
  const path = `/zones?account.id=${encodeURIComponent(api.accountId)}&per_page=${ZONES_PER_PAGE}`;
  const zones: Array<ZoneRef & { id: string }> = [];
  for (const item of await api.list(path)) {
    const zone = item as { id?: unknown; name?: unknown };
    if (typeof zone.id === 'string' && typeof zone.name === 'string') zones.push({ name: canonicalZoneName(zone.name), id: zone.id });
  }
  return zones;
}

async function resolveZones(api: SecondaryDnsApi, declared: ZoneRef[]): Promise<ZoneRef[]> {
  if (declared.every((zone) => zone.id !== null)) return declared;
  const idByName = new Map<string, string>();
  for (const zone of await listAccountZones(api)) idByName.set(zone.name, zone.id);
  const unknown = declared.filter((zone) => zone.id === null && !idByName.has(zone.name));
  if (unknown.length > 0) throw new UnknownZoneError(unknown, api.accountId);
  return declared.map((zone) => ({ ...zone, id: zone.id ?? idByName.get(zone.name)! }));
}
