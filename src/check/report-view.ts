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

export interface FailureLine {
  zone: string;
  peer: string;
  probes: string[];
  problem: string;
}

/** Failures of one (zone, peer) with the same cause (BADSIG on SOA and AXFR) make one line. */
export function failureLines(results: ProbeResult[]): FailureLine[] {
  const lines: FailureLine[] = [];
  for (const r of results) {
    if (r.ok) continue;
    const problem = r.problem ?? 'failed';
    const same = lines.find((l) => l.zone === r.zone && l.peer === r.peer && l.problem === problem);
    if (same) same.probes.push(probeLabel(r));
    else lines.push({ zone: r.zone, peer: r.peer, probes: [probeLabel(r)], problem });
  }
  return lines;
}
