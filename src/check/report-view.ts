/** The words every check report shares: probe labels, addresses, reasons a pair is not checkable. */
import type { NotCheckable, ProbeResult } from './types.js';

export function probeLabel(r: ProbeResult): string {
  return `${r.query}/${r.transport}`;
}

export function addressOf(r: { ip: string; port: number }): string {
  return r.ip.includes(':') ? `[${r.ip}]:${r.port}` : `${r.ip}:${r.port}`;
}

export function tsigLabel(r: ProbeResult): string {
  if (r.tsig === null) return '-';
  if (r.tsig === 'none') return 'none';
  if (r.skewSeconds !== null) return `${r.tsig} (${r.skewSeconds > 0 ? '+' : ''}${r.skewSeconds} s)`;
  return r.tsig;
}

export function yesNo(value: boolean | null): string {
  return value === null ? '-' : value ? 'yes' : 'no';
}

export function notCheckableReason(n: NotCheckable): string {
  switch (n.reason) {
    case 'outgoing-only':
      return 'outgoing link only: Cloudflare is the primary and the peer transfers from it';
    case 'no-ip':
      return 'the peer has no ip in the config';
    case 'unknown-peer':
      return 'the peer is not declared under peers';
    case 'unknown-tsig':
      return "the peer's TSIG is not declared under tsigs";
  }
}

export function countWord(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
