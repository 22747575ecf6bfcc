/**
 * Zone-scoped kinds (incoming and outgoing transfer links): at most one per zone, identified by
 * the zone id, at `/zones/{zone_id}/secondary_dns/{link}`. Observed with one GET per declared
 * zone (404: no link); a field set through an action (outgoing `enabled`) is read and written
 * through its own endpoints.
 */
import { zonePath, type ApiObject, type SecondaryDnsApi } from '../cloudflare/api.js';
import { isOutcomeUnknown } from '../cloudflare/retry.js';
import { actualFromApi, apiBody } from './fields.js';
import { canonicalZoneName } from './names.js';
import { ApiError, UnknownZoneError } from '../errors.js';
import type { ActualResource, FieldSpec, ResourceKind, WriteTarget, ZoneRef } from './types.js';

export const MAX_LINKED_PEERS = 30;

/** A link's `peers`: a set of names of declared peers, the API holding their ids. */
export function linkedPeersField(purpose: string, example: string): FieldSpec {
  return {
    name: 'peers',
    type: 'refs',
    ref: 'peer',
    required: true,
    schema: {
      minItems: 1,
      maxItems: MAX_LINKED_PEERS,
      uniqueItems: true,
      items: { type: 'string', minLength: 1 },
      description: `Names of peers declared under \`peers\` ${purpose} (a set; at most ${MAX_LINKED_PEERS}).`,
      examples: [[example]],
    },
  };
}

/** A boolean field the API sets through actions rather than the body. */
export interface ActionField {
  field: string;
  read(api: SecondaryDnsApi, zoneId: string): Promise<boolean>;
  write(api: SecondaryDnsApi, zoneId: string, value: boolean): Promise<void>;
}

export type ZoneLinkDefinition = Pick<ResourceKind, 'kind' | 'configKey' | 'label' | 'title' | 'description' | 'fields'> & {
  /** Path under the zone: `incoming`, `outgoing`. */
  link: string;
  action?: ActionField;
};

export function zoneLinkKind(def: ZoneLinkDefinition): ResourceKind {
  const bodyFields: FieldSpec[] = def.fields.filter((f) => f.name !== def.action?.field);
  const path = (zoneId: string) => zonePath(zoneId, def.link);
  const zoneOf = (target: WriteTarget): string => {
    if (target.zoneId === null) throw new Error(`${def.label} of ${target.name}: the zone id is unknown`);
    return target.zoneId;
  };

  async function observeZone(kind: ResourceKind, api: SecondaryDnsApi, zone: ZoneRef & { id: string }): Promise<ActualResource | null> {
    const { id: zoneId, name: zoneName } = zone;
    const answer = (await api.get(path(zoneId)).catch((err: unknown) => {
      // 7003: the zone id is no zone of this account: a wrong zone_id in the config, or a zone
      // the state file remembers that is gone (it has no links any more).
      if (err instanceof ApiError && err.errors.some((e) => e.code === 7003)) {
        if (zone.recordedOnly) return null;
        throw new UnknownZoneError([zone], api.accountId, 'zone_id');
      }
      throw err;
    })) as Partial<ApiObject> | null;
    if (answer === null || typeof answer !== 'object') return null;
    const actual = actualFromApi(kind, { ...answer, id: zoneId, name: zoneName } as ApiObject, zoneId);
    if (def.action) actual.values[def.action.field] = await def.action.read(api, zoneId);
    return actual;
  }

  /** POST; when its outcome is unknown, a link now present is the one it made (one per zone). */
  async function createLink(api: SecondaryDnsApi, zoneId: string, body: Record<string, unknown>): Promise<void> {
    try {
      await api.send('POST', path(zoneId), body);
    } catch (err) {
      if (!isOutcomeUnknown(err) || (await api.get(path(zoneId))) === null) throw err;
      await api.send('PUT', path(zoneId), body);
    }
  }

  return {
    ...def,
    scope: 'zone',
    canonicalName: canonicalZoneName,
    async observe(api, zones) {
      const found = await Promise.all(zones.flatMap((zone) => (zone.id ? [observeZone(this, api, { ...zone, id: zone.id })] : [])));
      return found.filter((link): link is ActualResource => link !== null);
    },
    async create(api, target, onCreated) {
      const zoneId = zoneOf(target);
      await createLink(api, zoneId, apiBody(bodyFields, target));
      onCreated?.(zoneId);
      // Whatever state a new link starts in, set the wanted one.
      if (def.action) await def.action.write(api, zoneId, target.fields[def.action.field] === true);
      return zoneId;
    },
    async update(api, target, changed) {
      const zoneId = zoneOf(target);
      if (changed.some((field) => field !== def.action?.field)) await api.send('PUT', path(zoneId), apiBody(bodyFields, target));
      if (def.action && changed.includes(def.action.field)) await def.action.write(api, zoneId, target.fields[def.action.field] === true);
    },
    async remove(api, target) {
      await api.remove(path(zoneOf(target)));
    },
  };
}
