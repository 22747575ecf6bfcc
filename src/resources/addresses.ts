/** IP addresses and CIDR ranges as dnsctl checks and compares them. */
import { isIP } from 'node:net';
import type { FieldIssue } from './types.js';

const error = (message: string): FieldIssue => ({ message, severity: 'error' });
const warning = (message: string): FieldIssue => ({ message, severity: 'warning' });

/** `2001:DB8:0::53` → `2001:db8::53`; anything that is not an IPv6 address is returned as it is. */
export function canonicalAddress(value: string): string {
  if (isIP(value) !== 6) return value;
  try {
    return new URL(`http://[${value}]/`).hostname.slice(1, -1);
  } catch {
    return value;
  }
}

function ipv4Octets(value: string): number[] {
  return value.split('.').map(Number);
}

/** The first 16 bits of an IPv6 address (enough for the ranges checked here). */
function ipv6FirstGroup(value: string): number {
  const canonical = canonicalAddress(value);
  return canonical.startsWith('::') ? 0 : Number.parseInt(canonical.split(':')[0] ?? '0', 16);
}

/** Problems with a peer address: a zone index, or an address no DNS server can be at. */
export function addressIssues(value: string): FieldIssue[] {
  if (value.includes('%')) {
    return [error(`must be an IPv4 or IPv6 address without a zone index ("${value.slice(value.indexOf('%'))}"): Cloudflare cannot reach a link-local scope`)];
  }
  const version = isIP(value);
  if (version === 0) return [error('must be an IPv4 or IPv6 address')];
  if (version === 4) {
    const [a = 0, b = 0] = ipv4Octets(value);
    if (value === '0.0.0.0') return [error('0.0.0.0 is the unspecified address, not a server')];
    if (value === '255.255.255.255') return [error('255.255.255.255 is the broadcast address, not a server')];
    if (a >= 224 && a <= 239) return [error(`${value} is a multicast address, not a server`)];
    if (a === 127) return [warning(`${value} is a loopback address: Cloudflare cannot reach it`)];
    if (a === 169 && b === 254) return [warning(`${value} is a link-local address: Cloudflare cannot reach it`)];
    return [];
  }
  const canonical = canonicalAddress(value);
  if (canonical === '::') return [error(':: is the unspecified address, not a server')];
  const first = ipv6FirstGroup(value);
  if (first >= 0xff00) return [error(`${value} is a multicast address, not a server`)];
  if (canonical === '::1') return [warning('::1 is the loopback address: Cloudflare cannot reach it')];
  if (first >= 0xfe80 && first <= 0xfebf) return [warning(`${value} is a link-local address: Cloudflare cannot reach it`)];
  return [];
}

/** An ACL range: a CIDR no wider than /24 (IPv4) or /64 (IPv6), as Cloudflare requires. */
export function cidrIssues(value: string): FieldIssue[] {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(value);
  const address = match?.[1] ?? '';
  const version = isIP(address);
  if (!match || version === 0 || address.includes('%')) return [error('must be a CIDR range such as 192.0.2.0/24 or 2001:db8::/64')];
  const prefix = Number(match[2]);
  const [narrowest, widest] = version === 4 ? [32, 24] : [128, 64];
  if (prefix > narrowest) return [error(`/${prefix} is not a valid IPv${version} prefix length`)];
  if (prefix < widest) return [error(`is wider than /${widest}, the widest range Cloudflare accepts for IPv${version}`)];
  return [];
}

/** `2001:DB8::/64` and `2001:db8:0::/64` are one range. */
export function canonicalCidr(value: string): string {
  const slash = value.lastIndexOf('/');
  return slash < 0 ? value : `${canonicalAddress(value.slice(0, slash))}${value.slice(slash)}`;
}
