/**
 * Checks beyond what JSON Schema can say: names unique per kind, references to declared
 * resources, field formats (IP addresses), and secrets written literally in the file.
 * Values of the wrong type are skipped here: the schema check reports them.
 */
import { isIP } from 'node:net';
import type { Problem } from '../errors.js';
import { KINDS, kindOf } from '../resources/index.js';
import type { KindName } from '../resources/types.js';
import { itemsOf } from './items.js';
import { unsafeNames } from './names.js';
import { positionOf, problemAt, type ConfigDocument, type FieldPath } from './positions.js';
import { describeValue, quote, type IsHidden } from './problems.js';
import { didYouMean } from './suggest.js';

export interface SemanticContext {
  source: ConfigDocument;
  /** The config after ${VAR} interpolation. */
  config: Record<string, unknown>;
  isHidden: IsHidden;
  /** Whether the string at a path referenced an environment variable. */
  fromVariable: (path: FieldPath) => boolean;
}

interface FormatCheck {
  isValid: (value: string) => boolean;
  requirement: string;
}

/** Per kind and field: formats of string values that the schema leaves to code. */
const FIELD_FORMATS: Partial<Record<KindName, Record<string, FormatCheck>>> = {
  peer: { ip: { isValid: (value) => isIP(value) !== 0, requirement: 'must be an IPv4 or IPv6 address' } },
};

export function checkSemantics(context: SemanticContext): Problem[] {
  return [
    ...duplicateNames(context),
    ...danglingReferences(context),
    ...badFormats(context),
    ...literalSecrets(context),
    ...unsafeNames(context),
  ];
}

/** The second and later uses of a name within one kind. */
function duplicateNames({ source, config, isHidden }: SemanticContext): Problem[] {
  return KINDS.flatMap((kind) => {
    const firstLines = new Map<string, number>();
    return itemsOf(config, kind).flatMap(({ item, path }) => {
      const namePath = [...path, 'name'];
      if (typeof item.name !== 'string') return [];
      const firstLine = firstLines.get(item.name);
      if (firstLine === undefined) {
        firstLines.set(item.name, positionOf(source, namePath).line);
        return [];
      }
      const name = isHidden(namePath) ? '' : ` ${quote(item.name)}`;
      return [problemAt(source, namePath, `duplicate ${kind.label} name${name} (first declared on line ${firstLine})`)];
    });
  });
}

/** Reference fields (a peer's `tsig`) that name nothing declared in the file. */
function danglingReferences({ source, config, isHidden }: SemanticContext): Problem[] {
  return KINDS.flatMap((kind) =>
    kind.fields.flatMap((field) => {
      if (!field.ref) return [];
      const target = kindOf(field.ref);
      const declared = itemsOf(config, target).flatMap(({ item }) => (typeof item.name === 'string' ? [item.name] : []));
      const isDeclared = new Set(declared);
      return itemsOf(config, kind).flatMap(({ item, path }) => {
        const value = item[field.name];
        if (typeof value !== 'string' || isDeclared.has(value)) return [];
        const fieldPath = [...path, field.name];
        const message = isHidden(fieldPath)
          ? `names a ${target.label} that is not declared under ${target.collection}`
          : `${target.label} ${quote(value)} is not declared under ${target.collection}${didYouMean(value, declared)}`;
        return [problemAt(source, fieldPath, message)];
      });
    }),
  );
}

function badFormats({ source, config, isHidden }: SemanticContext): Problem[] {
  return KINDS.flatMap((kind) =>
    Object.entries(FIELD_FORMATS[kind.kind] ?? {}).flatMap(([field, format]) =>
      itemsOf(config, kind).flatMap(({ item, path }) => {
        const value = item[field];
        if (typeof value !== 'string' || format.isValid(value)) return [];
        const fieldPath = [...path, field];
        return [problemAt(source, fieldPath, `${format.requirement}, got ${describeValue(value, isHidden(fieldPath))}`)];
      }),
    ),
  );
}

/** A warning for each sensitive field (a TSIG secret) written in the file instead of a ${VAR}. */
function literalSecrets({ source, config, fromVariable }: SemanticContext): Problem[] {
  return KINDS.flatMap((kind) =>
    kind.fields.flatMap((field) => {
      if (!field.sensitive) return [];
      return itemsOf(config, kind).flatMap(({ item, path }) => {
        const fieldPath = [...path, field.name];
        if (typeof item[field.name] !== 'string' || fromVariable(fieldPath)) return [];
        const message =
          `${field.name} is written literally in the file; ` +
          `use ${field.name}: \${SOME_VAR} and set the variable in the environment`;
        return [problemAt(source, fieldPath, message, { severity: 'warning' })];
      });
    }),
  );
}
