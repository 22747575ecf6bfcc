/**
 * The few wire-format helpers dns-packet does not offer: canonical (lower-case, uncompressed)
 * names for TSIG digests, and finding where the last resource record of a message starts, so the
 * TSIG record can be cut off exactly as it arrived.
 */
import dnsPacket from 'dns-packet';

export const HEADER_BYTES = 12;
export const TYPE_TSIG = 250;
export const CLASS_ANY = 255;

/** `Xfr.Example` / `xfr.example.` → "xfr.example." */
export function canonicalName(name: string): string {
  const lower = name.trim().toLowerCase();
  if (lower === '' || lower === '.') return '.';
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/** A name in canonical wire form (RFC 4034 §6.2): lower case, every label, no compression. */
export function canonicalNameWire(name: string): Buffer {
  const canonical = canonicalName(name);
  const labels = canonical === '.' ? [] : canonical.slice(0, -1).split('.');
  const parts: Buffer[] = [];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'ascii');
    if (bytes.length === 0 || bytes.length > 63) throw new Error(`"${name}" is not a valid DNS name`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

/** Offset just past the (possibly compressed) name starting at `offset`. */
export function skipName(buf: Buffer, offset: number): number {
  let at = offset;
  for (;;) {
    if (at >= buf.length) throw new RangeError('name runs past the end of the message');
    const len = buf[at]!;
    if ((len & 0xc0) === 0xc0) return at + 2;
    if (len === 0) return at + 1;
    at += len + 1;
  }
}

/** Reads a (possibly compressed) name, via dns-packet (its name codec is exported but not typed). */
export function readName(buf: Buffer, offset: number): string {
  return (dnsPacket as unknown as { name: { decode(buf: Buffer, offset: number): string } }).name.decode(buf, offset);
}

export interface MessageLayout {
  id: number;
  arcount: number;
  /** Where the last record of the additional section starts (null: the section is empty). */
  lastAdditionalOffset: number | null;
}

/** Walks the sections of a message to find where its last additional record starts. */
export function messageLayout(buf: Buffer): MessageLayout {
  if (buf.length < HEADER_BYTES) throw new RangeError('message shorter than a DNS header');
  const qd = buf.readUInt16BE(4);
  const records = buf.readUInt16BE(6) + buf.readUInt16BE(8);
  const arcount = buf.readUInt16BE(10);
  let at = HEADER_BYTES;
  for (let i = 0; i < qd; i++) at = skipName(buf, at) + 4;
  for (let i = 0; i < records; i++) at = skipRecord(buf, at);
  let last: number | null = null;
  for (let i = 0; i < arcount; i++) {
    last = at;
    at = skipRecord(buf, at);
  }
  return { id: buf.readUInt16BE(0), arcount, lastAdditionalOffset: last };
}

function skipRecord(buf: Buffer, offset: number): number {
  const at = skipName(buf, offset);
  if (at + 10 > buf.length) throw new RangeError('record runs past the end of the message');
  const end = at + 10 + buf.readUInt16BE(at + 8);
  if (end > buf.length) throw new RangeError('record data runs past the end of the message');
  return end;
}

/** 48-bit unsigned integer (TSIG time signed), big-endian. */
export function writeUint48(value: number): Buffer {
  const out = Buffer.alloc(6);
  out.writeUInt16BE(Math.floor(value / 2 ** 32) & 0xffff, 0);
  out.writeUInt32BE(value % 2 ** 32, 2);
  return out;
}

export function readUint48(buf: Buffer, offset: number): number {
  return buf.readUInt16BE(offset) * 2 ** 32 + buf.readUInt32BE(offset + 2);
}

export function uint16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value, 0);
  return out;
}
