import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { buildSchema, loadConfig } from '../../../src/config/index.js';
import { Secret } from '../../../src/secret.js';

const ROOT = new URL('../../../', import.meta.url);
const SCHEMA_FILE = fileURLToPath(new URL('schema/dnsctl.schema.json', ROOT));
const EXAMPLE_FILE = fileURLToPath(new URL('config.example.yaml', ROOT));

type Schema = Record<string, unknown>;

/** Every schema object inside `schema` (itself included), with its JSON pointer. */
function subschemas(schema: Schema, pointer = ''): [string, Schema][] {
  const found: [string, Schema][] = [[pointer || '/', schema]];
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  for (const [name, property] of Object.entries(properties)) found.push(...subschemas(property, `${pointer}/properties/${name}`));
  if (schema.items) found.push(...subschemas(schema.items as Schema, `${pointer}/items`));
  return found;
}

/** Keywords that do not validate anything (annotations, structure). */
const NON_VALIDATING = new Set(['$schema', '$id', 'title', 'description', 'examples', 'default', 'properties', 'items', 'patternMessage']);
/**
 * The keywords src/config/schema-check.ts words in plain English (`format` and `anyOf` only hold
 * address formats, which the semantic checks word instead).
 */
const WORDED = [
  'type', 'const', 'enum', 'minimum', 'maximum', 'minLength', 'maxLength', 'required', 'additionalProperties',
  'pattern', 'minItems', 'maxItems', 'uniqueItems', 'format', 'anyOf',
];

function editorAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, keywords: ['patternMessage'] });
  (addFormats as unknown as (ajv: Ajv2020, formats: string[]) => void)(ajv, ['ipv4', 'ipv6']);
  return ajv;
}

describe('the config JSON schema', () => {
  const schema = buildSchema() as Schema;

  it('is what schema/dnsctl.schema.json holds (regenerate with scripts/gen-schema.mjs)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(`${JSON.stringify(schema, null, 2)}\n`);
  });

  it('is draft 2020-12 with an id, title and description', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toEqual(expect.any(String));
    expect(schema.title).toEqual(expect.any(String));
    expect(schema.description).toEqual(expect.any(String));
  });

  it('gives every property a description and examples', () => {
    const properties = subschemas(schema).filter(([pointer]) => /\/properties\/[^/]+$/.test(pointer));
    expect(properties.length).toBeGreaterThan(8);
    for (const [pointer, property] of properties) {
      expect(property.description, pointer).toEqual(expect.stringMatching(/\S/));
      expect(property.examples, pointer).toEqual(expect.arrayContaining([expect.anything()]));
    }
  });

  it('forbids additional properties on every mapping', () => {
    const mappings = subschemas(schema).filter(([, s]) => s.type === 'object');
    expect(mappings.map(([pointer]) => pointer)).toEqual([
      '/',
      '/properties/tsigs/items',
      '/properties/peers/items',
      '/properties/acls/items',
      '/properties/zones/items',
      '/properties/zones/items/properties/incoming',
      '/properties/zones/items/properties/outgoing',
    ]);
    for (const [pointer, mapping] of mappings) expect(mapping.additionalProperties, pointer).toBe(false);
  });

  it('uses only keywords whose errors have a plain-English wording', () => {
    const used = new Set(subschemas(schema).flatMap(([, s]) => Object.keys(s)).filter((k) => !NON_VALIDATING.has(k)));
    expect([...used].filter((keyword) => !WORDED.includes(keyword))).toEqual([]);
  });

  it('is a valid draft 2020-12 schema (dnsctl skips this check at run time)', () => {
    const ajv = editorAjv();
    expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true);
    expect(ajv.validateSchema({ type: 'object', properties: 3 })).toBe(false);
  });

  it('has examples that validate against their own (sub)schema', () => {
    const ajv = editorAjv();
    const withExamples = subschemas(schema).filter(([, s]) => Array.isArray(s.examples));
    expect(withExamples.map(([pointer]) => pointer)).toContain('/');
    for (const [pointer, sub] of withExamples) {
      const { $schema: _draft, $id: _id, ...body } = sub;
      const validate = ajv.compile(body);
      for (const example of sub.examples as unknown[]) {
        expect(validate(example), `${pointer}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }
    }
  });
});

describe('the schema flags what validate would (for editors)', () => {
  const validate = editorAjv().compile(buildSchema());
  const base = { version: 1, account_id: '01a7362d577a6c3019a474fd6f485823' };
  it.each([
    ['an account id that is not 32 lowercase hex characters', { ...base, account_id: 'ABC' }],
    ['a peer address that is neither IPv4 nor IPv6', { ...base, peers: [{ name: 'p', ip: '192.0.2.300' }] }],
    ['a port out of range', { ...base, peers: [{ name: 'p', ip: '192.0.2.1', port: 70000 }] }],
    ['a CIDR without a prefix length', { ...base, acls: [{ name: 'a', ip_range: '192.0.2.0' }] }],
    ['a peer name with an escape character', { ...base, peers: [{ name: 'p\u001b[2J' }] }],
    ['a peer name with trailing whitespace', { ...base, peers: [{ name: 'p ' }] }],
    ['a TSIG name that is not a domain name', { ...base, tsigs: [{ name: 'bad name', algo: 'hmac-sha256.', secret: '${S}' }] }],
    ['a zone id of the wrong shape', { ...base, zones: [{ name: 'example.com', zone_id: 'x' }] }],
    ['a link peer listed twice', { ...base, peers: [{ name: 'p' }], zones: [{ name: 'example.com', incoming: { peers: ['p', 'p'] } }] }],
  ])('%s', (_, config) => {
    expect(validate(config)).toBe(false);
  });
  it('and accepts the example', () => {
    expect(validate({ ...base, peers: [{ name: 'p', ip: '2001:db8::53', port: 53 }], acls: [{ name: 'a', ip_range: '2001:db8::/64' }] })).toBe(true);
  });
});

describe('config.example.yaml', () => {
  const text = readFileSync(EXAMPLE_FILE, 'utf8');

  it('points editors at the schema on its first line', () => {
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./schema/dnsctl.schema.json');
  });

  it('validates with its variables set: every kind, a peer without TSIG, one without an address, secrets from the environment', async () => {
    expect(text).not.toMatch(/secret: (?!\$\{TSIG_[A-Z_]+\})/);
    const loaded = await loadConfig(EXAMPLE_FILE, { TSIG_CUSTOMER_SECRET: 'c2VjcmV0LWE=', TSIG_BACKUP_SECRET: 'c2VjcmV0LWI=' });
    expect(loaded.warnings).toEqual([]);
    const byKind = (kind: string) => loaded.desired.resources.filter((r) => r.kind === kind);
    expect(byKind('tsig')).toHaveLength(2);
    expect(byKind('peer')).toHaveLength(4);
    expect(byKind('peer').filter((p) => p.values.tsig === null)).toHaveLength(1);
    expect(byKind('peer').filter((p) => p.values.ip === null).map((p) => [p.name, p.values.port])).toEqual([['signer-only', null]]);
    expect(byKind('acl').map((r) => [r.name, r.values.ip_range])).toEqual([['office-v4', '192.0.2.0/24'], ['office-v6', '2001:db8:10::/64']]);
    expect(byKind('incoming').map((r) => r.name)).toEqual(['example.com', 'example.net']);
    expect(byKind('outgoing').map((r) => [r.name, r.values.enabled])).toEqual([['example.com', true], ['example.net', false]]);
    expect(loaded.desired.zones?.map((z) => [z.name, z.id])).toEqual([['example.com', '269d8f4853475ca241c4e730be286b20'], ['example.net', null]]);
    expect(byKind('tsig').map((t) => (t.values.secret as Secret).reveal())).toEqual(['c2VjcmV0LWE=', 'c2VjcmV0LWI=']);
  });

  it('fails without its variables, naming each', async () => {
    await expect(loadConfig(EXAMPLE_FILE, {})).rejects.toMatchObject({
      problems: [
        expect.objectContaining({ message: 'environment variable TSIG_CUSTOMER_SECRET is not set' }),
        expect.objectContaining({ message: 'environment variable TSIG_BACKUP_SECRET is not set' }),
      ],
    });
  });
});
