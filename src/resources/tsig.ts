import type { ResourceKind } from './types.js';

export const TSIG_ALGORITHMS = [
  'hmac-md5.sig-alg.reg.int.',
  'hmac-sha1.',
  'hmac-sha224.',
  'hmac-sha256.',
  'hmac-sha384.',
  'hmac-sha512.',
] as const;

export const tsigKind: ResourceKind = {
  kind: 'tsig',
  collection: 'tsigs',
  label: 'TSIG',
  title: 'TSIG keys',
  fields: [
    { name: 'algo' },
    { name: 'secret', sensitive: true },
  ],
  createWith: 'full-body',
  itemSchema: {
    type: 'object',
    description: 'A TSIG key (RFC 8945) that authenticates zone transfers with a peer.',
    additionalProperties: false,
    required: ['name', 'algo', 'secret'],
    properties: {
      name: {
        type: 'string',
        minLength: 1,
        description:
          'The key name, a domain name that must match the name configured on the other server. Unique among the TSIGs of this file.',
        examples: ['tsig.customer.cf.'],
      },
      algo: {
        type: 'string',
        enum: [...TSIG_ALGORITHMS],
        description: 'The TSIG algorithm, written as Cloudflare writes it (trailing dot).',
        examples: ['hmac-sha512.'],
      },
      secret: {
        type: 'string',
        minLength: 1,
        description:
          'The shared secret. Write a ${VAR} reference to an environment variable; never commit the secret itself.',
        examples: ['${TSIG_CUSTOMER_SECRET}'],
      },
    },
  },
};
