/** A valid config's plain value → DesiredState: every field present, defaults filled in, secrets wrapped. */
import { KINDS } from '../resources/index.js';
import type { DesiredState, FieldValue, ResourceKind } from '../resources/types.js';
import { Secret } from '../secret.js';
import { itemsOf } from './items.js';
import { positionOf, type ConfigDocument } from './positions.js';

export function toDesiredState(source: ConfigDocument, config: Record<string, unknown>, accountId: string): DesiredState {
  const resources = KINDS.flatMap((kind) =>
    itemsOf(config, kind).map(({ item, path }) => ({
      kind: kind.kind,
      name: String(item.name),
      values: fieldValues(kind, item),
      position: positionOf(source, path),
    })),
  );
  return { accountId, resources };
}

function fieldValues(kind: ResourceKind, item: Record<string, unknown>): Record<string, FieldValue> {
  return Object.fromEntries(
    kind.fields.map((field) => {
      const value = (item[field.name] ?? field.default ?? null) as FieldValue;
      return [field.name, field.sensitive && typeof value === 'string' ? new Secret(value) : value];
    }),
  );
}
