import { addressIssues, canonicalAddress } from './addresses.js';
import { collectionKind } from './collection.js';
import { exactName, plainNameSchema } from './names.js';

/** dnsctl's default port, only where an address is given: the API itself has no default (it stores 0). */
export const DEFAULT_PEER_PORT = 53;

export const peerKind = collectionKind({
  kind: 'peer',
  collection: 'peers',
  configKey: 'peers',
  label: 'peer',
  title: 'Peers',
  description: 'A peer DNS server: a primary Cloudflare transfers zones from, or a secondary it transfers zones to.',
  canonicalName: exactName,
  nameSchema: plainNameSchema('The peer name. Unique among the peers of this file. The only required field.', 'my-peer-1'),
  fields: [
    {
      name: 'ip',
      type: 'string',
      unsetValue: '',
      schema: {
        minLength: 1,
        anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }],
        description:
          'IPv4 or IPv6 address of the peer. Optional: a TSIG-only peer without an address signs outgoing transfers without NOTIFY.',
        examples: ['192.0.2.53', '2001:db8::53'],
      },
      check: (value) => addressIssues(String(value)),
      canonical: (value) => canonicalAddress(String(value)),
    },
    {
      name: 'port',
      type: 'integer',
      unsetValue: 0,
      default: (item) => (typeof item.ip === 'string' && item.ip !== '' ? DEFAULT_PEER_PORT : null),
      schema: {
        minimum: 1,
        maximum: 65535,
        description: `DNS port of the peer (1-65535). Default ${DEFAULT_PEER_PORT} when an ip is given; unset without one.`,
        examples: [DEFAULT_PEER_PORT],
      },
    },
    {
      name: 'ixfr_enable',
      type: 'boolean',
      unsetValue: false,
      default: false,
      schema: {
        description: 'Use IXFR (incremental transfer) instead of AXFR for transfers from this peer.',
        examples: [false],
      },
    },
    {
      name: 'tsig',
      apiField: 'tsig_id',
      type: 'ref',
      ref: 'tsig',
      unsetValue: '',
      schema: {
        minLength: 1,
        description: 'Name of a TSIG declared under `tsigs` that authenticates transfers with this peer. Leave out for none.',
        examples: ['tsig.customer.cf.'],
      },
    },
  ],
});
