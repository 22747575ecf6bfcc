/** The one line per failed probe that says what is wrong and what to fix. */
import { formatSeconds } from './transport.js';
import type { ProbeResult } from './types.js';

export interface AdviceContext {
  /** The TSIG algorithm in the config (null: the peer has no TSIG). */
  algorithm: string | null;
  timeoutMs: number;
  /** Network detail ("ECONNRESET", "after 3 message(s)"). */
  detail: string | null;
}

export function problemFor(r: ProbeResult, ctx: AdviceContext): string {
  const address = r.ip.includes(':') ? `[${r.ip}]:${r.port}` : `${r.ip}:${r.port}`;
  const key = `key ${r.tsigKey}${ctx.algorithm ? ` (${ctx.algorithm})` : ''}`;
  switch (r.reachability) {
    case 'timeout':
      return `no answer from ${address} over ${r.transport} within ${formatSeconds(ctx.timeoutMs)}: check that the server runs and listens there, and that no firewall drops ${r.transport} port ${r.port} from here`;
    case 'refused':
      return `connection refused by ${address} (${r.transport}): nothing listens there; check the peer's ip and port, and the server's listen-on`;
    case 'closed':
      return r.query === 'AXFR' && r.messages
        ? `the transfer of ${r.zone} stopped ${ctx.detail ?? 'early'}, before the closing SOA: check the primary's logs`
        : `${address} closed the connection without answering: check the server's logs`;
    case 'network':
      return `network error talking to ${address}: ${ctx.detail ?? 'unknown'}`;
    case 'answered':
      break;
  }
  switch (r.tsig) {
    case 'BADKEY':
      return `the primary does not know ${key}: add it to its config, or make the name and algorithm here match it`;
    case 'BADSIG':
    case 'mac-mismatch':
      return `signature mismatch for ${key}: secret or algorithm differs between the config and the primary`;
    case 'BADTIME':
    case 'time-outside-fudge':
      return r.skewSeconds === null
        ? `the clocks of this machine and ${address} differ more than TSIG allows: synchronise both clocks (NTP)`
        : `the clock of ${address} is ${Math.abs(r.skewSeconds)} s ${r.skewSeconds < 0 ? 'behind' : 'ahead of'} this machine's, more than TSIG allows: synchronise both clocks (NTP)`;
    case 'BADTRUNC':
      return `the answer's TSIG MAC is truncated below what RFC 8945 allows: check the primary's TSIG settings`;
    case 'other-key':
      return `the answer is signed with another key or algorithm than ${key}: make the primary use this key for the peer`;
    case 'unsigned-answer':
      return `the answer carries no TSIG signature although the query was signed with ${key}: the server ignored the key; configure it on the primary`;
    case 'unsigned-end':
      return `the last message of the transfer is not signed: the transfer cannot be trusted; check the primary's TSIG settings`;
    default:
      break;
  }
  switch (r.rcode) {
    case 'NOERROR':
      break;
    case 'REFUSED':
      return r.query === 'AXFR'
        ? `the primary refuses to transfer ${r.zone}: allow ${r.tsigKey ? key : 'this address'} in the zone's allow-transfer`
        : `the server refuses queries for ${r.zone}: add the zone to it, or allow ${r.tsigKey ? key : 'this address'} to query it`;
    case 'NOTAUTH':
      return `the server is not authoritative for ${r.zone}: add the zone to it`;
    case 'SERVFAIL':
      return `the server failed to answer for ${r.zone} (SERVFAIL): the zone may not be loaded; check the server's logs`;
    case 'NOTIMP':
      return `the server does not implement ${r.query} for ${r.zone} (NOTIMP)`;
    default:
      return `the server answered ${r.rcode ?? 'nothing'} for ${r.zone}: it does not serve the zone`;
  }
  if (r.authoritative !== true) {
    return `the server is not authoritative for ${r.zone} (no AA bit or no SOA in the answer): point the peer at the zone's primary`;
  }
  return `the transfer of ${r.zone} ended before the closing SOA: check the primary's logs`;
}
