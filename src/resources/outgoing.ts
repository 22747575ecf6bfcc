import { zonePath, type SecondaryDnsApi } from '../cloudflare/api.js';
import { linkedPeersField, zoneLinkKind } from './zone-link.js';

/** `GET outgoing/status` answers "Enabled" / "Disabled" (or null): anything but enabled is off. */
async function readEnabled(api: SecondaryDnsApi, zoneId: string): Promise<boolean> {
  const status = await api.get(zonePath(zoneId, 'outgoing/status'));
  return typeof status === 'string' && status.trim().toLowerCase() === 'enabled';
}

async function writeEnabled(api: SecondaryDnsApi, zoneId: string, enabled: boolean): Promise<void> {
  await api.send('POST', zonePath(zoneId, enabled ? 'outgoing/enable' : 'outgoing/disable'), {});
}

export const outgoingKind = zoneLinkKind({
  kind: 'outgoing',
  configKey: 'outgoing',
  link: 'outgoing',
  label: 'outgoing transfer link',
  title: 'Outgoing zone transfers (Cloudflare as primary)',
  description: 'Cloudflare as primary: it sends NOTIFY to these secondaries and lets them transfer the zone.',
  action: { field: 'enabled', read: readEnabled, write: writeEnabled },
  fields: [
    linkedPeersField('to notify and allow transfers to', 'secondary-ns1'),
    {
      name: 'enabled',
      type: 'boolean',
      default: true,
      schema: {
        description: 'Whether outgoing transfers are enabled (default true); false keeps the link with transfers disabled.',
        examples: [true],
      },
    },
  ],
});
