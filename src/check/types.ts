import type { TsigKey } from './tsig.js';

/** One (zone, peer) pair to probe: the zone is transferred from the peer (an `incoming` link). */
export interface CheckTarget {
  /** Zone name, lower case without a trailing dot. */
  zone: string;
  peer: string;
  ip: string;
  port: number;
  /** The peer's TSIG key; null when the peer has none (then the queries go unsigned). */
  tsig: TsigKey | null;
}

/** A (zone, peer) pair dnsctl cannot probe, and why. */
export interface NotCheckable {
  zone: string;
  peer: string;
  reason: 'outgoing-only' | 'no-ip' | 'unknown-peer' | 'unknown-tsig';
}

export interface CheckTargets {
  targets: CheckTarget[];
  notCheckable: NotCheckable[];
}

export type ProbeKind = 'SOA' | 'AXFR';
export type ProbeTransport = 'TCP' | 'UDP';

/** How the TSIG of an answer turned out. */
export type TsigOutcome =
  | 'verified'
  /** The peer has no TSIG in the config: queries and answers are unsigned. */
  | 'none'
  | 'unsigned-answer'
  | 'BADKEY'
  | 'BADSIG'
  | 'BADTIME'
  | 'BADTRUNC'
  | 'other-key'
  | 'mac-mismatch'
  | 'time-outside-fudge'
  | 'unsigned-end';

export type Reachability = 'answered' | 'timeout' | 'refused' | 'closed' | 'network';

/** One probe of one (zone, peer): never holds a secret. */
export interface ProbeResult {
  zone: string;
  peer: string;
  ip: string;
  port: number;
  query: ProbeKind;
  transport: ProbeTransport;
  ok: boolean;
  reachability: Reachability;
  /** Null when no answer came back. */
  rcode: string | null;
  /** Key name used (canonical), null without one. */
  tsigKey: string | null;
  tsig: TsigOutcome | null;
  /** BADTIME / time outside fudge: the other side's clock minus ours, in seconds. */
  skewSeconds: number | null;
  /** AA bit set and the zone's SOA in the answer. */
  authoritative: boolean | null;
  /** SOA serial (for AXFR: of the closing SOA). */
  serial: number | null;
  /** AXFR: records received (both SOAs included, as dig counts them) and messages. */
  records: number | null;
  messages: number | null;
  /** One line saying what is wrong and what to fix; null when ok. */
  problem: string | null;
}

export interface CheckOptions {
  axfr: boolean;
  udp: boolean;
  timeoutMs: number;
  concurrency: number;
  /** Milliseconds since the epoch (injected by tests). */
  now?: () => number;
  signal?: AbortSignal;
}

export interface CheckReport {
  results: ProbeResult[];
  notCheckable: NotCheckable[];
  summary: { passed: number; failed: number; notCheckable: number };
}
