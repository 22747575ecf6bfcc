import { describe, expect, it } from 'vitest';
import { declaredZonesOnly } from '../../../src/commands/import.js';
import { parseConfig } from '../../../src/config/parse.js';
import { validateConfig } from '../../../src/config/validate.js';
import { buildImportedConfig, yamlString } from '../../../src/import/config.js';
import { secretVariableBase, secretVariables } from '../../../src/import/variables.js';
import { buildPlan } from '../../../src/plan/build.js';
import { inventoryFrom } from '../../../src/report/state.js';
import { buildImportedState } from '../../../src/report/state.js';
import type { ActualResource, ActualState, ZoneRef } from '../../../src/resources/types.js';
import { Secret } from '../../../src/secret.js';

const ACCOUNT = '01a7362d577a6c3019a474fd6f485823';
const Z1 = 'a'.repeat(32);
const Z2 = 'b'.repeat(32);
const Z3 = 'c'.repeat(32);

const tsig = (id: string, name: string, secret: string | null, algo = 'hmac-sha512.'): ActualResource => ({
  kind: 'tsig',
  id,
  name,
  values: { algo, secret: secret === null ? null : new Secret(secret) },
  refIds: {},
});
const peer = (id: string, name: string, values: Partial<{ ip: string | null; port: number | null; ixfr_enable: boolean }> = {}, tsigId: string | null = null): ActualResource => ({
  kind: 'peer',
  id,
  name,
  values: { ip: values.ip ?? null, port: values.port ?? null, ixfr_enable: values.ixfr_enable ?? false },
  refIds: { tsig: tsigId },
});
const acl = (id: string, name: string, range: string): ActualResource => ({ kind: 'acl', id, name, values: { ip_range: range }, refIds: {} });
const incoming = (zoneId: string, zoneName: string, peers: string[], refresh = 86_400): ActualResource => ({
  kind: 'incoming',
  id: zoneId,
  name: zoneName,
  zoneId,
  values: { auto_refresh_seconds: refresh },
  refIds: { peers },
});
const outgoing = (zoneId: string, zoneName: string, peers: string[], enabled: boolean): ActualResource => ({
  kind: 'outgoing',
  id: zoneId,
  name: zoneName,
  zoneId,
  values: { enabled },
  refIds: { peers },
});

const SECRETS = { k1: 'c2VjcmV0MQ==', k2: 'c2VjcmV0Mg==', k3: 'c2VjcmV0Mw==' };
const zones: ZoneRef[] = [
  { name: 'example.com', id: Z1 },
  { name: 'example.net', id: Z2 },
  { name: 'empty.org', id: Z3 },
];
const actual: ActualState = {
  zones,
  resources: [
    tsig('t1', 'tsig.customer.cf.', SECRETS.k1),
    tsig('t2', 'Key-Two.Example.', SECRETS.k2, 'hmac-sha256.'),
    tsig('t3', 'key_two.example', SECRETS.k3),
    peer('p1', 'ns-dup', { ip: '192.0.2.1', port: 53 }, 't1'),
    peer('p2', 'ns-dup', { ip: '192.0.2.2', port: 53 }, 't1'),
    peer('p3', 'odd ${HOME} "name"', { ip: '2001:db8::1', port: 5353, ixfr_enable: true }, 't2'),
    peer('p4', 'tsig-gone', { ip: '192.0.2.4', port: 53 }, 'tX'),
    peer('p5', 'no-address'),
    acl('a1', 'office', '192.0.2.0/24'),
    incoming(Z1, 'example.com', ['p2'], 3600),
    outgoing(Z2, 'example.net', ['p3', 'pX'], true),
    incoming(Z3, 'empty.org', ['pY']),
  ],
};

function load(yaml: string, env: Record<string, string>) {
  const result = validateConfig(parseConfig('imported.yaml', yaml), env);
  if (!result.valid) throw new Error(result.problems.map((p) => p.message).join('\n'));
  return result.desired;
}

describe('secret variable names', () => {
  it('TSIG_<NAME>_SECRET, upper case, other characters as one underscore, unique', () => {
    expect(secretVariableBase('tsig.customer.cf.')).toBe('TSIG_TSIG_CUSTOMER_CF_SECRET');
    expect(secretVariableBase('*.Wild-card.example')).toBe('TSIG_WILD_CARD_EXAMPLE_SECRET');
    expect(secretVariableBase('.')).toBe('TSIG_SECRET');
    expect(secretVariables(['a-b.', 'a_b.', 'A.B.'], ['TSIG_A_B_2_SECRET'])).toEqual(['TSIG_A_B_SECRET', 'TSIG_A_B_3_SECRET', 'TSIG_A_B_4_SECRET']);
  });

  it('yamlString keeps ${ literal and quotes everything', () => {
    expect(yamlString('a${B}"c')).toBe('"a$${B}\\"c"');
    expect(yamlString('$${x')).toBe('"$$${x"');
  });
});

describe('buildImportedConfig', () => {
  const imported = buildImportedConfig({ accountId: ACCOUNT, actual, zones, generatedAt: new Date('2026-12-01T10:00:00Z') });
  const env = Object.fromEntries(imported.secrets.map((s) => [s.variable, s.secret!.reveal()]));

  it('writes a config that loads, with references by name and secrets as ${VAR}', () => {
    expect(imported.secrets.map((s) => [s.variable, s.tsig])).toEqual([
      ['TSIG_KEY_TWO_EXAMPLE_SECRET', 'Key-Two.Example.'],
      ['TSIG_KEY_TWO_EXAMPLE_2_SECRET', 'key_two.example'],
      ['TSIG_TSIG_CUSTOMER_CF_SECRET', 'tsig.customer.cf.'],
    ]);
    for (const secret of Object.values(SECRETS)) expect(imported.yaml).not.toContain(secret);
    const desired = load(imported.yaml, env);
    expect(desired.manage).toBe('all');
    const odd = desired.resources.find((r) => r.kind === 'peer' && r.name === 'odd ${HOME} "name"');
    expect(odd?.values).toEqual({ ip: '2001:db8::1', port: 5353, ixfr_enable: true, tsig: 'key-two.example.' });
    expect(desired.resources.find((r) => r.name === 'no-address')?.values).toEqual({ ip: null, port: null, ixfr_enable: false, tsig: null });
    expect(desired.resources.filter((r) => r.kind === 'incoming' || r.kind === 'outgoing').map((r) => [r.kind, r.name, r.values])).toEqual([
      ['incoming', 'example.com', { peers: ['ns-dup'], auto_refresh_seconds: 3600 }],
      ['outgoing', 'example.net', { peers: ['odd ${HOME} "name"'], enabled: true }],
    ]);
  });

  it('keeps the most referenced duplicate, names the others; leaves dangling references out, with notes', () => {
    expect(imported.managed.filter((m) => m.kind === 'peer').map((m) => m.id)).toEqual(['p5', 'p2', 'p3', 'p4']);
    expect(imported.yaml).toContain('# the other id(s) p1 are duplicates');
    expect(imported.yaml).toContain('# tsig: left out: the peer points at TSIG id tX');
    expect(imported.yaml).toContain('# incoming: not declared: its peers (ids pY)');
    expect(imported.yaml).not.toContain('empty.org"\n    zone_id');
    expect(imported.notes).toEqual([
      'peer "ns-dup" has duplicates (ids p1); dnsctl will delete them',
      'peer "tsig-gone" points at TSIG id tX, which the account does not hold; the config leaves its tsig out',
      'the incoming link of zone "empty.org" lists no peer of the account; it is not declared',
      'the outgoing link of zone "example.net" lists peer id(s) pX that the account does not hold; left out',
    ]);
  });

  it('with the state it records, the first plan changes only what the notes announce', () => {
    const state = buildImportedState(
      imported.managed.map((m) => ({ ...m })),
      { version: 't', configPath: 'c', configSha256: '', accountId: ACCOUNT, startedAt: new Date(0), finishedAt: new Date(0), interrupted: false, salt: 's' },
    );
    expect(state.resources.every((e) => e.status === 'unchanged' && e.id !== null)).toBe(true);
    const desired = load(imported.yaml, env);
    // As plan reads it: the links of the zones the config declares.
    const plan = buildPlan(desired, declaredZonesOnly(actual, desired.zones ?? []), inventoryFrom(state));
    const changed = plan.operations.filter((op) => op.action !== 'noop').map((op) => `${op.action} ${op.id}`);
    expect(changed).toEqual(['update peer:tsig-gone', 'update outgoing:example.net', 'delete peer:ns-dup#p1']);
  });

  it('an empty account gives a valid config that declares nothing', () => {
    const empty = buildImportedConfig({ accountId: ACCOUNT, actual: { resources: [] }, zones: [], generatedAt: new Date(0) });
    expect(load(empty.yaml, {}).resources).toEqual([]);
    expect(empty.secrets).toEqual([]);
  });
});
