/**
 * The JSON Schema (draft 2020-12) of the config file, derived from the resource kinds' field
 * definitions. schema/dnsctl.schema.json is this, written by scripts/gen-schema.mjs, for editors.
 */
import { ACCOUNT_KINDS, ZONE_KINDS } from '../resources/index.js';
import type { FieldSpec, ResourceKind } from '../resources/types.js';

export const SCHEMA_DRAFT = 'https://json-schema.org/draft/2020-12/schema';
/** Where editors and tools can fetch this schema: the file in the repository at the release tag. */
export const SCHEMA_ID = 'https://raw.githubusercontent.com/your-org/dnsctl/v0.1.0/schema/dnsctl.schema.json';
export const CONFIG_VERSION = 1;

const EXAMPLE_ACCOUNT_ID = '01a7362d577a6c3019a474fd6f485823';
const EXAMPLE_ZONE_ID = '269d8f4853475ca241c4e730be286b20';

/** Custom keyword: how a failed `pattern` is explained (ajv is told of it; editors ignore it). */
export const PATTERN_MESSAGE = 'patternMessage';

const JSON_TYPES: Record<FieldSpec['type'], string> = {
  string: 'string',
  integer: 'integer',
  boolean: 'boolean',
  secret: 'string',
  ref: 'string',
  refs: 'array',
};

export const DNS_NAME_PATTERN = '^(?=.{1,254}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\\.?$';

function fieldSchema(field: FieldSpec): Record<string, unknown> {
  const fallback = field.default;
  return {
    type: JSON_TYPES[field.type],
    ...(fallback !== undefined && typeof fallback !== 'function' ? { default: fallback } : {}),
    ...field.schema,
  };
}

function itemProperties(kind: ResourceKind): Record<string, unknown> {
  return Object.fromEntries(kind.fields.map((field) => [field.name, fieldSchema(field)]));
}

function requiredFields(kind: ResourceKind): string[] {
  return kind.fields.filter((f) => f.required).map((f) => f.name);
}

function accountItemSchema(kind: ResourceKind): Record<string, unknown> {
  return {
    type: 'object',
    description: kind.description,
    additionalProperties: false,
    required: ['name', ...requiredFields(kind)],
    properties: {
      name: kind.nameSchema ?? { type: 'string', minLength: 1 },
      ...itemProperties(kind),
      previous_names: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        uniqueItems: true,
        description:
          `Names this ${kind.label} had before: found in the account under one of them, it is renamed in place ` +
          '(one PUT; its id and every zone link to it are kept) instead of deleted and created again.',
        examples: [['old-name']],
      },
    },
  };
}

function zoneLinkSchema(kind: ResourceKind): Record<string, unknown> {
  const schema = {
    type: 'object',
    description: kind.description,
    additionalProperties: false,
    required: requiredFields(kind),
    properties: itemProperties(kind),
  };
  return { ...schema, examples: [exampleOf(schema)] };
}

function exampleOf(schema: Record<string, unknown>): unknown {
  const properties = schema.properties as Record<string, { examples?: unknown[] }> | undefined;
  if (!properties) return (schema as { examples?: unknown[] }).examples?.[0];
  return Object.fromEntries(
    Object.entries(properties)
      .filter(([name]) => name !== 'previous_names')
      .map(([name, property]) => [name, property.examples?.[0] ?? exampleOf(property as Record<string, unknown>)]),
  );
}

function zoneSchema(): Record<string, unknown> {
  return {
    type: 'object',
    description: "A zone of the account and its transfer links. Leaving a link out removes it (same ownership rules as every delete).",
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: {
        type: 'string',
        pattern: DNS_NAME_PATTERN,
        [PATTERN_MESSAGE]: 'must be a domain name such as example.com',
        description: "The zone's domain name (case-insensitive, trailing dot optional).",
        examples: ['example.com'],
      },
      zone_id: {
        type: 'string',
        pattern: '^[0-9a-f]{32}$',
        [PATTERN_MESSAGE]: 'must be exactly 32 lowercase hexadecimal characters (the zone ID in the Cloudflare dashboard)',
        description: "The zone's Cloudflare id. Leave out to look the zone up by name (one list of the account's zones per run).",
        examples: [EXAMPLE_ZONE_ID],
      },
      ...Object.fromEntries(ZONE_KINDS.map((kind) => [kind.configKey, zoneLinkSchema(kind)])),
    },
  };
}

export function buildSchema(): Record<string, unknown> {
  const collections = Object.fromEntries(
    ACCOUNT_KINDS.map((kind) => {
      const items = accountItemSchema(kind);
      return [
        kind.configKey,
        {
          type: 'array',
          default: [],
          description: `The ${kind.label}s that dnsctl manages in the account, as a list (empty when left out). ${kind.description}`,
          examples: [[exampleOf(items)]],
          items,
        },
      ];
    }),
  );
  const zones = zoneSchema();
  const example = {
    version: CONFIG_VERSION,
    account_id: EXAMPLE_ACCOUNT_ID,
    ...Object.fromEntries(Object.entries(collections).map(([key, schema]) => [key, schema.examples[0]])),
    zones: [exampleOf(zones)],
  };
  return {
    $schema: SCHEMA_DRAFT,
    $id: SCHEMA_ID,
    title: 'dnsctl configuration',
    description:
      'The Cloudflare secondary DNS objects of one account that dnsctl manages (reconciles). ' +
      'Any string value may reference an environment variable as ${NAME}; write $${ for a literal ${.',
    type: 'object',
    additionalProperties: false,
    required: ['version'],
    properties: {
      version: {
        const: CONFIG_VERSION,
        description: `Version of this file format; must be ${CONFIG_VERSION}.`,
        examples: [CONFIG_VERSION],
      },
      account_id: {
        type: 'string',
        pattern: '^[0-9a-f]{32}$',
        description:
          'The Cloudflare account ID: 32 lowercase hexadecimal characters. Leave out to use the ' +
          'CLOUDFLARE_ACCOUNT_ID environment variable.',
        examples: [EXAMPLE_ACCOUNT_ID],
      },
      manage: {
        enum: ['declared', 'all'],
        default: 'declared',
        description:
          'Which objects dnsctl may delete. "declared" (default): only those the state file records as created or adopted by dnsctl. ' +
          '"all": this file is the whole truth for the account\'s TSIGs, peers and ACLs, and for the links of the zones it declares; anything else is deleted.',
        examples: ['declared'],
      },
      max_deletes: {
        type: 'integer',
        minimum: 0,
        description:
          'The most objects one apply may delete; more and apply refuses, changing nothing (--allow-deletes N overrides it for one run). ' +
          'Default: max(3, 30 % of the objects the plan matches or would delete).',
        examples: [10],
      },
      ...collections,
      zones: {
        type: 'array',
        default: [],
        description: 'Zones and their incoming (Cloudflare as secondary) and outgoing (Cloudflare as primary) transfer links.',
        examples: [[exampleOf(zones)]],
        items: zones,
      },
    },
    examples: [example],
  };
}
