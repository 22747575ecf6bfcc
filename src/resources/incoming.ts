import { zoneLinkKind } from './zone-link.js';

export const MAX_LINKED_PEERS = 30;
export const DEFAULT_AUTO_REFRESH_SECONDS = 86_400;

export const linkedPeersSchema = {
  minItems: 1,
  maxItems: MAX_LINKED_PEERS,
  uniqueItems: true,
  items: { type: 'string', minLength: 1 },
} as const;

export const incomingKind = zoneLinkKind({
  kind: 'incoming',
  configKey: 'incoming',
  link: 'incoming',
  label: 'incoming transfer link',
  title: 'Incoming zone transfers (Cloudflare as secondary)',
  description: 'Cloudflare as secondary: it transfers the zone from these primaries.',
  fields: [
    {
      name: 'peers',
      type: 'refs',
      ref: 'peer',
      required: true,
      schema: {
        ...linkedPeersSchema,
        description: `Names of peers declared under \`peers\` to transfer the zone from (a set; at most ${MAX_LINKED_PEERS}).`,
        examples: [['primary-ns1']],
      },
    },
    {
      name: 'auto_refresh_seconds',
      type: 'integer',
      default: DEFAULT_AUTO_REFRESH_SECONDS,
      schema: {
        minimum: 300,
        description: `How often Cloudflare checks the primary's SOA serial, in seconds (at least 300; default ${DEFAULT_AUTO_REFRESH_SECONDS}).`,
        examples: [DEFAULT_AUTO_REFRESH_SECONDS],
      },
    },
  ],
});
