import { canonicalCidr, cidrIssues } from './addresses.js';
import { collectionKind } from './collection.js';
import { exactName, plainNameSchema } from './names.js';

export const aclKind = collectionKind({
  kind: 'acl',
  collection: 'acls',
  configKey: 'acls',
  label: 'ACL',
  title: 'ACLs',
  description: 'An ACL: a range of addresses allowed to transfer zones from Cloudflare.',
  canonicalName: exactName,
  nameSchema: plainNameSchema('The ACL name. Unique among the ACLs of this file.', 'office-v4'),
  fields: [
    {
      name: 'ip_range',
      type: 'string',
      required: true,
      schema: {
        minLength: 1,
        pattern: '^[0-9A-Fa-f:.]+/[0-9]{1,3}$',
        description: 'A CIDR range, no wider than /24 for IPv4 and /64 for IPv6.',
        examples: ['192.0.2.0/24'],
      },
      check: (value) => cidrIssues(String(value)),
      canonical: (value) => canonicalCidr(String(value)),
    },
  ],
});
