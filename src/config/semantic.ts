/**
 * Checks beyond what JSON Schema can say: names unique per kind, references to declared
 * resources, each field's own checks (addresses, ranges, secrets), a zone's linked peers sharing
 * one TSIG, and secrets written literally in the file.
 * Values of the wrong type are skipped here: the schema check reports them.
 */
import type { Problem } from '../errors.js';
import { ACCOUNT_KINDS, KINDS, ZONE_KINDS, kindOf } from '../resources/index.js';
import { canonicalZoneName } from '../resources/names.js';
import { itemsOf, zoneItems, type ConfigItem } from './items.js';
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
  /** The variable the string at a path was read from, if one (`TSIG_X_SECRET`). */
  variableAt?: (path: FieldPath) => string | undefined;
}

export function checkSemantics(context: SemanticContext): Problem[] {
  return [
    ...duplicateNames(context),
    ...duplicateZones(context),
    ...danglingReferences(context),
    ...fieldChecks(context),
    ...linkedPeersShareOneTsig(context),
    ...literalSecrets(context),
    ...unsafeNames(context),
  ];
}

/** The second and later uses of a name (compared as the kind compares names) within one kind. */
function duplicateNames({ source, config, isHidden }: SemanticContext): Problem[] {
  return ACCOUNT_KINDS.flatMap((kind) => duplicatesAmong(source, itemsOf(config, kind), kind.canonicalName, `${kind.label} name`, isHidden));
}

function duplicateZones({ source, config, isHidden }: SemanticContext): Problem[] {
  return duplicatesAmong(source, zoneItems(config), canonicalZoneName, 'zone', isHidden);
}

function duplicatesAmong(source: ConfigDocument, items: ConfigItem[], canonical: (name: string) => string, what: string, isHidden: IsHidden): Problem[] {
  const firstLines = new Map<string, number>();
  return items.flatMap(({ item, namePath }) => {
    if (typeof item.name !== 'string') return [];
    const key = canonical(item.name);
    const firstLine = firstLines.get(key);
    if (firstLine === undefined) {
      firstLines.set(key, positionOf(source, namePath).line);
      return [];
    }
    const name = isHidden(namePath) ? '' : ` ${quote(item.name)}`;
    return [problemAt(source, namePath, `duplicate ${what}${name} (first declared on line ${firstLine})`)];
  });
}

/** Reference fields (a peer's `tsig`, a link's `peers`) that name nothing declared in the file. */
function danglingReferences({ source, config, isHidden }: SemanticContext): Problem[] {
  return KINDS.flatMap((kind) =>
    kind.fields.flatMap((field) => {
      if (!field.ref) return [];
      const target = kindOf(field.ref);
      const declared = itemsOf(config, target).flatMap(({ item }) => (typeof item.name === 'string' ? [item.name] : []));
      const isDeclared = new Set(declared.map((name) => target.canonicalName(name)));
      return itemsOf(config, kind).flatMap(({ item, path }) => {
        const value = item[field.name];
        const entries: Array<[unknown, FieldPath]> = Array.isArray(value)
          ? value.map((v, i): [unknown, FieldPath] => [v, [...path, field.name, i]])
          : [[value, [...path, field.name]]];
        return entries.flatMap(([name, fieldPath]) => {
          if (typeof name !== 'string' || isDeclared.has(target.canonicalName(name))) return [];
          const message = isHidden(fieldPath)
            ? `names a ${target.label} that is not declared under ${target.configKey}`
            : `${target.label} ${quote(name)} is not declared under ${target.configKey}${didYouMean(name, declared)}`;
          return [problemAt(source, fieldPath, message)];
        });
      });
    }),
  );
}

const PRIMITIVE_TYPES: Record<string, string> = { string: 'string', secret: 'string', ref: 'string', integer: 'number', boolean: 'boolean' };

/** Each field's own check (an address, a range, a secret's encoding). */
function fieldChecks({ source, config, isHidden, variableAt }: SemanticContext): Problem[] {
  return KINDS.flatMap((kind) =>
    kind.fields.flatMap((field) => {
      if (!field.check) return [];
      return itemsOf(config, kind).flatMap(({ item, path }) => {
        const value = item[field.name];
        if (typeof value !== PRIMITIVE_TYPES[field.type]) return [];
        const fieldPath = [...path, field.name];
        const variable = variableAt?.(fieldPath);
        return field.check!(value as string | number | boolean).map((issue) => {
          const got = field.type === 'secret' ? '' : `, got ${describeValue(value, isHidden(fieldPath))}`;
          const subject = variable ? `the value of environment variable ${variable} ` : '';
          return problemAt(source, fieldPath, `${subject}${issue.message}${got}`, { severity: issue.severity });
        });
      });
    }),
  );
}

/**
 * Cloudflare's rule: when a peer linked in one direction of a zone uses a TSIG, every peer linked
 * in that direction uses the same TSIG.
 */
function linkedPeersShareOneTsig({ source, config }: SemanticContext): Problem[] {
  const peerKind = kindOf('peer');
  const tsigKind = kindOf('tsig');
  const tsigOfPeer = new Map<string, string | null>();
  for (const { item } of itemsOf(config, peerKind)) {
    if (typeof item.name === 'string') tsigOfPeer.set(item.name, typeof item.tsig === 'string' ? tsigKind.canonicalName(item.tsig) : null);
  }
  return ZONE_KINDS.flatMap((kind) =>
    itemsOf(config, kind).flatMap(({ item, path }) => {
      const peers = Array.isArray(item.peers) ? item.peers.filter((p): p is string => typeof p === 'string' && tsigOfPeer.has(p)) : [];
      const tsigs = new Set(peers.map((p) => tsigOfPeer.get(p) ?? null));
      if (tsigs.size <= 1 || ![...tsigs].some((t) => t !== null)) return [];
      const describe = peers.map((p) => `${p} (${tsigOfPeer.get(p) ?? 'no TSIG'})`).join(', ');
      return [
        problemAt(
          source,
          [...path, 'peers'],
          `the peers linked here must all use the same TSIG (Cloudflare's rule when any of them uses one); they use: ${describe}`,
        ),
      ];
    }),
  );
}

/** A warning for each sensitive field (a TSIG secret) written in the file instead of a ${VAR}. */
function literalSecrets({ source, config, fromVariable }: SemanticContext): Problem[] {
  return KINDS.flatMap((kind) =>
    kind.fields.flatMap((field) => {
      if (field.type !== 'secret') return [];
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
