/** A valid config's plain value → DesiredState: every field present, defaults filled in, names canonical, secrets wrapped. */
import { KINDS, kindOf } from '../resources/index.js';
import { canonicalZoneName } from '../resources/names.js';
import type { DesiredResource, DesiredState, FieldValue, ManageMode, ResourceKind, ZoneRef } from '../resources/types.js';
import { Secret } from '../secret.js';
import { itemsOf, zoneItems } from './items.js';
import { positionOf, type ConfigDocument } from './positions.js';

export function toDesiredState(source: ConfigDocument, config: Record<string, unknown>, accountId: string): DesiredState {
  const zones: ZoneRef[] = zoneItems(config).map(({ item, path }) => ({
    name: canonicalZoneName(String(item.name)),
    id: typeof item.zone_id === 'string' ? item.zone_id : null,
    position: positionOf(source, path),
  }));
  const zoneByName = new Map(zones.map((zone) => [zone.name, zone]));
  const resources = KINDS.flatMap((kind) =>
    itemsOf(config, kind).map(({ item, path }): DesiredResource => {
      const name = kind.canonicalName(String(item.name));
      const previous = Array.isArray(item.previous_names) ? item.previous_names.map((n) => kind.canonicalName(String(n))) : [];
      return {
        kind: kind.kind,
        name,
        values: fieldValues(kind, item),
        ...(previous.length > 0 ? { previousNames: previous } : {}),
        ...(kind.scope === 'zone' ? { zone: zoneByName.get(name)! } : {}),
        position: positionOf(source, path),
      };
    }),
  );
  const manage: ManageMode = config.manage === 'all' ? 'all' : 'declared';
  const maxDeletes = typeof config.max_deletes === 'number' ? { maxDeletes: config.max_deletes } : {};
  return { accountId, resources, zones, manage, ...maxDeletes };
}

function fieldValues(kind: ResourceKind, item: Record<string, unknown>): Record<string, FieldValue> {
  return Object.fromEntries(
    kind.fields.map((field) => {
      const fallback = typeof field.default === 'function' ? field.default(item) : (field.default ?? null);
      const value = (item[field.name] ?? fallback) as FieldValue;
      if (field.type === 'secret' && typeof value === 'string') return [field.name, new Secret(value)];
      if (field.type === 'ref' && typeof value === 'string') return [field.name, kindOf(field.ref!).canonicalName(value)];
      if (field.type === 'refs' && Array.isArray(value)) {
        const target = kindOf(field.ref!);
        return [field.name, [...new Set(value.map((name) => target.canonicalName(String(name))))].sort()];
      }
      return [field.name, value];
    }),
  );
}
