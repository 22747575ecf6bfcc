/** Queries and answers, encoded and decoded by dns-packet. */
import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import { canonicalName } from './wire.js';

export type QueryType = 'SOA' | 'AXFR';

/** A query for `zone` with a random ID, no recursion wanted. */
export function buildQuery(zone: string, type: QueryType, id: number = randomInt(0, 0x10000)): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags: 0, questions: [{ type, class: 'IN', name: zone }] });
}

export interface SoaRecord {
  name: string;
  serial: number;
}

export interface DecodedAnswer {
  id: number;
  rcode: string;
  authoritative: boolean;
  truncated: boolean;
  /** Answer-section records (the TSIG record is never among them). */
  answerCount: number;
  /** SOA records of the answer section, in order. */
  soas: SoaRecord[];
}

/** Reads an answer (give it the message without its TSIG record). */
export function decodeAnswer(message: Buffer): DecodedAnswer {
  const packet = dnsPacket.decode(message);
  const answers = packet.answers ?? [];
  const soas: SoaRecord[] = [];
  for (const answer of answers) {
    if (answer.type === 'SOA') soas.push({ name: canonicalName(answer.name), serial: answer.data.serial ?? 0 });
  }
  return {
    id: packet.id ?? message.readUInt16BE(0),
    rcode: (packet as { rcode?: string }).rcode ?? rcodeName(message.readUInt16BE(2) & 0xf),
    authoritative: packet.flag_aa,
    truncated: packet.flag_tc,
    answerCount: answers.length,
    soas,
  };
}

function rcodeName(code: number): string {
  return ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'][code] ?? `RCODE${code}`;
}
