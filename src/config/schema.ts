/**
 * The JSON Schema (draft 2020-12) of the config file, assembled from the resource kinds' item
 * schemas. schema/dnsctl.schema.json is this, written by scripts/gen-schema.mjs, for editors.
 */
import { KINDS } from '../resources/index.js';
import type { ResourceKind } from '../resources/types.js';

export const SCHEMA_DRAFT = 'https://json-schema.org/draft/2020-12/schema';
/** Where editors and tools can fetch this schema: the file in the repository at the release tag. */
export const SCHEMA_ID = 'https://raw.githubusercontent.com/your-org/dnsctl/v0.1.0/schema/dnsctl.schema.json';
export const CONFIG_VERSION = 1;

const EXAMPLE_ACCOUNT_ID = '01a7362d577a6c3019a474fd6f485823';

type PropertySchemas = Record<string, { examples?: unknown[] }>;

export function buildSchema(): Record<string, unknown> {
  const collections = Object.fromEntries(KINDS.map((kind) => [kind.collection, collectionSchema(kind)]));
  const example = {
    version: CONFIG_VERSION,
    account_id: EXAMPLE_ACCOUNT_ID,
    ...Object.fromEntries(KINDS.map((kind) => [kind.collection, [exampleItem(kind)]])),
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
        description:
          'The Cloudflare account ID: 32 lowercase hexadecimal characters. Leave out to use the ' +
          'CLOUDFLARE_ACCOUNT_ID environment variable.',
        examples: [EXAMPLE_ACCOUNT_ID],
      },
      ...collections,
    },
    examples: [example],
  };
}

function collectionSchema(kind: ResourceKind): Record<string, unknown> {
  return {
    type: 'array',
    default: [],
    description: `The ${kind.label}s that dnsctl manages in the account, as a list (empty when left out). ${String(kind.itemSchema.description)}`,
    examples: [[exampleItem(kind)]],
    items: kind.itemSchema,
  };
}

/** One item made of each property's first example. */
function exampleItem(kind: ResourceKind): Record<string, unknown> {
  const properties = (kind.itemSchema.properties ?? {}) as PropertySchemas;
  return Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, schema.examples?.[0]]));
}
