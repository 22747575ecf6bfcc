/** Which (zone, peer) pairs `dnsctl check` probes, from the validated config. Pure. */
import { UsageError } from '../errors.js';
import type { DesiredResource, DesiredState } from '../resources/types.js';
import { Secret } from '../secret.js';
import type { CheckTarget, CheckTargets, NotCheckable } from './types.js';
import { canonicalName } from './wire.js';

/** `Example.COM.` → "example.com" (zone names in the config have no trailing dot). */
export function zoneName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

function peerList(resource: DesiredResource): string[] {
  const peers = resource.values.peers as unknown;
  return Array.isArray(peers) ? peers.filter((p): p is string => typeof p === 'string') : [];
}

/**
 * Every peer of every zone with an `incoming` link (Cloudflare transfers the zone from it) is a
 * target when it has an ip. Peers only on `outgoing` links are listed as not checkable: there
 * Cloudflare is the primary, and nothing here can ask Cloudflare for a transfer.
 */
export function buildCheckTargets(desired: DesiredState, options: { zone?: string } = {}): CheckTargets {
  const only = options.zone === undefined ? null : zoneName(options.zone);
  const links = desired.resources.filter((r) => (r.kind === 'incoming' || r.kind === 'outgoing') && (only === null || zoneName(r.name) === only));
  if (only !== null && links.length === 0) {
    const zones = [...new Set(desired.resources.filter((r) => r.kind === 'incoming' || r.kind === 'outgoing').map((r) => zoneName(r.name)))];
    throw new UsageError(`zone "${only}" has no incoming or outgoing link in the config${zones.length ? `; its zones: ${zones.join(', ')}` : ''}`);
  }
  const peers = new Map(desired.resources.filter((r) => r.kind === 'peer').map((r) => [r.name, r]));
  const tsigs = new Map(desired.resources.filter((r) => r.kind === 'tsig').map((r) => [canonicalName(r.name), r]));
  const targets: CheckTarget[] = [];
  const notCheckable: NotCheckable[] = [];
  const incomingPeers = new Map<string, Set<string>>();

  for (const link of links.filter((r) => r.kind === 'incoming')) {
    const zone = zoneName(link.name);
    const seen = incomingPeers.get(zone) ?? new Set<string>();
    incomingPeers.set(zone, seen);
    for (const peerName of peerList(link)) {
      if (seen.has(peerName)) continue;
      seen.add(peerName);
      const peer = peers.get(peerName);
      if (!peer) {
        notCheckable.push({ zone, peer: peerName, reason: 'unknown-peer' });
        continue;
      }
      const ip = peer.values.ip;
      if (typeof ip !== 'string' || ip === '') {
        notCheckable.push({ zone, peer: peerName, reason: 'no-ip' });
        continue;
      }
      const port = typeof peer.values.port === 'number' ? peer.values.port : 53;
      const tsigName = peer.values.tsig;
      if (typeof tsigName !== 'string' || tsigName === '') {
        targets.push({ zone, peer: peerName, ip, port, tsig: null });
        continue;
      }
      const tsig = tsigs.get(canonicalName(tsigName));
      const secret = tsig?.values.secret;
      if (!tsig || !(secret instanceof Secret) || typeof tsig.values.algo !== 'string') {
        notCheckable.push({ zone, peer: peerName, reason: 'unknown-tsig' });
        continue;
      }
      targets.push({ zone, peer: peerName, ip, port, tsig: { name: canonicalName(tsig.name), algorithm: canonicalName(tsig.values.algo), secret } });
    }
  }
  for (const link of links.filter((r) => r.kind === 'outgoing')) {
    const zone = zoneName(link.name);
    for (const peerName of peerList(link)) {
      if (incomingPeers.get(zone)?.has(peerName)) continue;
      if (notCheckable.some((n) => n.zone === zone && n.peer === peerName)) continue;
      notCheckable.push({ zone, peer: peerName, reason: 'outgoing-only' });
    }
  }
  return { targets, notCheckable };
}
