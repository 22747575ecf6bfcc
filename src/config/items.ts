/**
 * Where the resources sit in the config's plain value: account kinds as `<configKey>[i]` mappings,
 * zone kinds as `zones[i].<configKey>` mappings (named after their zone).
 */
import { KINDS } from '../resources/index.js';
import type { ResourceKind } from '../resources/types.js';
import type { FieldPath } from './positions.js';

export interface ConfigItem {
  /** The item's fields; for a zone kind, the link's fields plus the zone's `name`. */
  item: Record<string, unknown>;
  path: FieldPath;
  /** Where the item's name is written (a zone kind's is its zone's). */
  namePath: FieldPath;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The zone mappings of the file; anything else there is left to the schema check. */
export function zoneItems(config: Record<string, unknown>): ConfigItem[] {
  const zones = config.zones;
  if (!Array.isArray(zones)) return [];
  return zones.flatMap((zone: unknown, index) => (isMapping(zone) ? [{ item: zone, path: ['zones', index], namePath: ['zones', index, 'name'] }] : []));
}

/** The mapping items of `kind`; anything else there is left to the schema check. */
export function itemsOf(config: Record<string, unknown>, kind: ResourceKind): ConfigItem[] {
  if (kind.scope === 'zone') {
    return zoneItems(config).flatMap(({ item: zone, path, namePath }) => {
      const link = zone[kind.configKey];
      return isMapping(link) ? [{ item: { ...link, name: zone.name }, path: [...path, kind.configKey], namePath }] : [];
    });
  }
  const list = config[kind.configKey];
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown, index) =>
    isMapping(item) ? [{ item, path: [kind.configKey, index], namePath: [kind.configKey, index, 'name'] }] : [],
  );
}

/** `tsigs[2].secret`: a field whose value must never appear in a message. */
export function isSensitivePath(path: FieldPath): boolean {
  const [collection, index, field] = path;
  return (
    path.length === 3 &&
    typeof index === 'number' &&
    KINDS.some((kind) => kind.scope === 'account' && kind.configKey === collection && kind.fields.some((f) => f.type === 'secret' && f.name === field))
  );
}
