import { collectionKind } from './collection.js';
import { canonicalKeyName } from './names.js';
import type { FieldIssue } from './types.js';

export const TSIG_ALGORITHMS = [
  'hmac-md5.sig-alg.reg.int.',
  'hmac-sha1.',
  'hmac-sha224.',
  'hmac-sha256.',
  'hmac-sha384.',
  'hmac-sha512.',
] as const;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A TSIG secret is base64 (RFC 8945); a pasted one often carries a newline or spaces. */
function secretIssues(value: string | number | boolean): FieldIssue[] {
  const text = String(value);
  if (text.trim() !== text) return [{ message: 'has leading or trailing whitespace or a newline (a pasted secret?); remove it', severity: 'error' }];
  if (!BASE64.test(text) || text.length % 4 !== 0) {
    return [{ message: 'is not valid base64 (letters, digits, + and /, padded with = to a multiple of 4 characters)', severity: 'error' }];
  }
  return [];
}

export const tsigKind = collectionKind({
  kind: 'tsig',
  collection: 'tsigs',
  configKey: 'tsigs',
  label: 'TSIG',
  title: 'TSIG keys',
  description: 'A TSIG key (RFC 8945) that authenticates zone transfers with a peer.',
  canonicalName: canonicalKeyName,
  nameSchema: {
    type: 'string',
    minLength: 1,
    maxLength: 255,
    pattern: '^[A-Za-z0-9_*-]+(\\.[A-Za-z0-9_-]+)*\\.?$',
    patternMessage: 'must be a domain name such as tsig.example.com. (letters, digits, hyphens and underscores between dots)',
    description:
      'The key name, a domain name that must match the name configured on the other server. Compared case-insensitively; ' +
      'a trailing dot is added when left out (Cloudflare stores it so). Unique among the TSIGs of this file.',
    examples: ['tsig.customer.cf.'],
  },
  fields: [
    {
      name: 'algo',
      type: 'string',
      required: true,
      schema: {
        enum: [...TSIG_ALGORITHMS],
        description: 'The TSIG algorithm, written as Cloudflare writes it (trailing dot).',
        examples: ['hmac-sha512.'],
      },
      canonical: (value) => String(value).toLowerCase(),
    },
    {
      name: 'secret',
      type: 'secret',
      required: true,
      schema: {
        minLength: 1,
        description:
          'The shared secret, base64 as BIND and Cloudflare write it. Write a ${VAR} reference to an environment variable; never commit the secret itself.',
        examples: ['${TSIG_CUSTOMER_SECRET}'],
      },
      check: secretIssues,
    },
  ],
});
