import { isIPv6 } from 'node:net';
import type { FieldValue, ResourceKind } from './types.js';

/** Cloudflare returns a fresh peer with "" / 0 / null for fields never set. */
function normalizePeerField(field: string, value: unknown): FieldValue {
  if (value === undefined || value === null) return field === 'ixfr_enable' ? false : null;
  if (field === 'ip' && value === '') return null;
  if (field === 'port' && value === 0) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/** `2001:DB8:0::53` and `2001:db8::53` are one address: compare IPv6 in its canonical spelling. */
function canonicalPeerField(field: string, value: FieldValue): FieldValue {
  if (field !== 'ip' || typeof value !== 'string' || isIPv6(value) === false) return value;
  return new URL(`http://[${value}]/`).hostname.slice(1, -1);
}

export const peerKind: ResourceKind = {
  kind: 'peer',
  collection: 'peers',
  label: 'peer',
  title: 'Peers',
  fields: [
    { name: 'ip', default: null },
    { name: 'port', default: 53 },
    { name: 'ixfr_enable', default: false },
    { name: 'tsig', apiField: 'tsig_id', ref: 'tsig', default: null },
  ],
  createWith: 'name-then-replace',
  normalizeActual: normalizePeerField,
  canonical: canonicalPeerField,
  itemSchema: {
    type: 'object',
    description:
      'A peer DNS server: a primary Cloudflare transfers zones from, or a secondary it transfers zones to.',
    additionalProperties: false,
    required: ['name', 'ip'],
    properties: {
      name: {
        type: 'string',
        minLength: 1,
        description: 'The peer name. Unique among the peers of this file.',
        examples: ['my-peer-1'],
      },
      ip: {
        type: 'string',
        minLength: 1,
        description: 'IPv4 or IPv6 address of the peer.',
        examples: ['192.0.2.53', '2001:db8::53'],
      },
      port: {
        type: 'integer',
        minimum: 1,
        maximum: 65535,
        default: 53,
        description: 'DNS port of the peer (1-65535).',
        examples: [53],
      },
      ixfr_enable: {
        type: 'boolean',
        default: false,
        description: 'Use IXFR (incremental transfer) instead of AXFR for transfers from this peer.',
        examples: [false],
      },
      tsig: {
        type: 'string',
        minLength: 1,
        description: 'Name of a TSIG declared under `tsigs` that authenticates transfers with this peer. Leave out for none.',
        examples: ['tsig.customer.cf.'],
      },
    },
  },
};
