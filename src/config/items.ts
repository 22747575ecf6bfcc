/** Where the resources sit in the config's plain value: `<collection>[i]` mappings. */
import { KINDS } from '../resources/index.js';
import type { ResourceKind } from '../resources/types.js';
import type { FieldPath } from './positions.js';

export interface ConfigItem {
  item: Record<string, unknown>;
  path: FieldPath;
}

/** The mapping items of `kind`'s collection; anything else there is left to the schema check. */
export function itemsOf(config: Record<string, unknown>, kind: ResourceKind): ConfigItem[] {
  const list = config[kind.collection];
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown, index) =>
    typeof item === 'object' && item !== null && !Array.isArray(item)
      ? [{ item: item as Record<string, unknown>, path: [kind.collection, index] }]
      : [],
  );
}

/** `tsigs[2].secret`: a field whose value must never appear in a message. */
export function isSensitivePath(path: FieldPath): boolean {
  const [collection, index, field] = path;
  return (
    path.length === 3 &&
    typeof index === 'number' &&
    KINDS.some((kind) => kind.collection === collection && kind.fields.some((f) => f.sensitive && f.name === field))
  );
}
