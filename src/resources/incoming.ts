import { linkedPeersField, zoneLinkKind } from './zone-link.js';

export const DEFAULT_AUTO_REFRESH_SECONDS = 86_400;

export const incomingKind = zoneLinkKind({
  kind: 'incoming',
  configKey: 'incoming',
  link: 'incoming',
  label: 'incoming transfer link',
  title: 'Incoming zone transfers (Cloudflare as secondary)',
  description: 'Cloudflare as secondary: it transfers the zone from these primaries.',
  fields: [
    linkedPeersField('to transfer the zone from', 'primary-ns1'),
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
