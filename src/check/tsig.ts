/**
 * TSIG (RFC 8945): signing queries and verifying answers, including the multi-message rules of
 * §5.3.1 for zone transfers. dns-packet builds and reads the messages but knows nothing of TSIG
 * digests, so the digest layout (§4.3) lives here, built from canonical wire names.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Secret } from '../secret.js';
import { CLASS_ANY, TYPE_TSIG, canonicalName, canonicalNameWire, messageLayout, readName, readUint48, skipName, uint16, writeUint48 } from './wire.js';

/** The algorithm names dnsctl accepts (as Cloudflare writes them) → node:crypto hash. */
export const TSIG_HASHES: Readonly<Record<string, string>> = {
  'hmac-md5.sig-alg.reg.int.': 'md5',
  'hmac-sha1.': 'sha1',
  'hmac-sha224.': 'sha224',
  'hmac-sha256.': 'sha256',
  'hmac-sha384.': 'sha384',
  'hmac-sha512.': 'sha512',
};

/** TSIG error codes (RFC 8945 §3, RFC 2845). */
export const TSIG_ERRORS: Readonly<Record<number, string>> = { 16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME', 22: 'BADTRUNC' };

export const DEFAULT_FUDGE = 300;

export interface TsigKey {
  /** Key name; compared and digested in canonical form. */
  name: string;
  /** One of the TSIG_HASHES names. */
  algorithm: string;
  /** The base64 secret. */
  secret: Secret;
}

/** The TSIG record of a message, as read from the wire. */
export interface TsigRecord {
  name: string;
  algorithm: string;
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  other: Buffer;
}

export function hashFor(algorithm: string): string {
  const hash = TSIG_HASHES[canonicalName(algorithm)];
  if (!hash) throw new Error(`unsupported TSIG algorithm "${algorithm}"`);
  return hash;
}

function hmac(key: TsigKey, parts: Buffer[]): Buffer {
  const mac = createHmac(hashFor(key.algorithm), Buffer.from(key.secret.reveal(), 'base64'));
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** §4.3.3: the TSIG variables that follow the message in a digest. */
export function tsigVariables(keyName: string, algorithm: string, timeSigned: number, fudge: number, error: number, other: Buffer): Buffer {
  return Buffer.concat([
    canonicalNameWire(keyName),
    uint16(CLASS_ANY),
    Buffer.alloc(4), // TTL 0
    canonicalNameWire(algorithm),
    writeUint48(timeSigned),
    uint16(fudge),
    uint16(error),
    uint16(other.length),
    other,
  ]);
}

/** §4.3.1: only the timers, for the second and later messages of a multi-message answer. */
export function tsigTimers(timeSigned: number, fudge: number): Buffer {
  return Buffer.concat([writeUint48(timeSigned), uint16(fudge)]);
}

export interface SignOptions {
  timeSigned: number;
  fudge?: number;
  /** Signing an answer: the MAC of the request it answers (§4.3.1). */
  requestMac?: Buffer;
  error?: number;
  other?: Buffer;
}

/** Appends a TSIG record to `message` (which must not carry one) and returns it with its MAC. */
export function signMessage(message: Buffer, key: TsigKey, options: SignOptions): { message: Buffer; mac: Buffer } {
  const fudge = options.fudge ?? DEFAULT_FUDGE;
  const error = options.error ?? 0;
  const other = options.other ?? Buffer.alloc(0);
  const prefix = options.requestMac ? [uint16(options.requestMac.length), options.requestMac] : [];
  const mac = hmac(key, [...prefix, message, tsigVariables(key.name, key.algorithm, options.timeSigned, fudge, error, other)]);
  const rdata = Buffer.concat([
    canonicalNameWire(key.algorithm),
    writeUint48(options.timeSigned),
    uint16(fudge),
    uint16(mac.length),
    mac,
    uint16(message.readUInt16BE(0)), // original ID
    uint16(error),
    uint16(other.length),
    other,
  ]);
  const record = Buffer.concat([canonicalNameWire(key.name), uint16(TYPE_TSIG), uint16(CLASS_ANY), Buffer.alloc(4), uint16(rdata.length), rdata]);
  const signed = Buffer.concat([message, record]);
  signed.writeUInt16BE(message.readUInt16BE(10) + 1, 10);
  return { message: signed, mac };
}

/**
 * Splits a message into the message as it was before signing (TSIG record removed, ARCOUNT one
 * less, the original ID restored: what the MAC covers) and its TSIG record, if it has one.
 */
export function splitTsig(message: Buffer): { unsigned: Buffer; tsig: TsigRecord | null } {
  const layout = messageLayout(message);
  const at = layout.lastAdditionalOffset;
  if (at === null) return { unsigned: message, tsig: null };
  const afterName = skipName(message, at);
  if (message.readUInt16BE(afterName) !== TYPE_TSIG) return { unsigned: message, tsig: null };
  const tsig = readTsigRdata(message, readName(message, at), afterName + 10);
  const unsigned = Buffer.from(message.subarray(0, at));
  unsigned.writeUInt16BE(tsig.originalId, 0);
  unsigned.writeUInt16BE(layout.arcount - 1, 10);
  return { unsigned, tsig };
}

function readTsigRdata(buf: Buffer, name: string, rdata: number): TsigRecord {
  const algorithm = readName(buf, rdata);
  let at = skipName(buf, rdata);
  const timeSigned = readUint48(buf, at);
  const fudge = buf.readUInt16BE(at + 6);
  const macSize = buf.readUInt16BE(at + 8);
  at += 10;
  const mac = Buffer.from(buf.subarray(at, at + macSize));
  at += macSize;
  const originalId = buf.readUInt16BE(at);
  const error = buf.readUInt16BE(at + 2);
  const otherLen = buf.readUInt16BE(at + 4);
  const other = Buffer.from(buf.subarray(at + 6, at + 6 + otherLen));
  if (mac.length !== macSize || other.length !== otherLen) throw new RangeError('TSIG record cut short');
  return { name: canonicalName(name), algorithm: canonicalName(algorithm), timeSigned, fudge, mac, originalId, error, other };
}

/** What the TSIG of an answer (or of one message of a transfer) says. */
export type TsigVerdict =
  | { status: 'verified' }
  /** No TSIG record where one is required. */
  | { status: 'unsigned' }
  /** The server reports a TSIG error (BADKEY, BADSIG, BADTIME with its clock, BADTRUNC). */
  | { status: 'server-error'; error: string; serverTime: number | null }
  /** Signed with another key name or algorithm than the one asked with. */
  | { status: 'other-key'; name: string; algorithm: string }
  /** The MAC does not verify: the secrets differ (or the answer was altered). */
  | { status: 'mac-mismatch' }
  /** MAC shorter than RFC 8945 §5.2.2.1 allows, or longer than the hash. */
  | { status: 'bad-truncation' }
  /** The MAC verifies but the time signed is outside the fudge. */
  | { status: 'time-outside-fudge'; skewSeconds: number };

/** Up to 99 unsigned messages may sit between two signed ones (RFC 8945 §5.3.1). */
const MAX_UNSIGNED_RUN = 99;

/**
 * Verifies the messages of one answer in order: the first with the request MAC and all TSIG
 * variables, later ones with the prior MAC, the unsigned messages since, and the timers only.
 */
export class AnswerVerifier {
  #priorMac: Buffer;
  #first = true;
  #unsignedSince: Buffer[] = [];

  constructor(
    private readonly key: TsigKey,
    requestMac: Buffer,
    /** Seconds since the epoch, now. */
    private readonly nowSeconds: () => number,
  ) {
    this.#priorMac = requestMac;
  }

  /** Verifies the next message; `null` means unsigned but allowed (an intermediate message). */
  next(message: Buffer): TsigVerdict | null {
    const { unsigned, tsig } = splitTsig(message);
    if (!tsig) {
      if (this.#first || this.#unsignedSince.length >= MAX_UNSIGNED_RUN) return { status: 'unsigned' };
      this.#unsignedSince.push(message);
      return null;
    }
    if (tsig.error !== 0 && tsig.mac.length === 0) {
      return { status: 'server-error', error: TSIG_ERRORS[tsig.error] ?? `TSIG error ${tsig.error}`, serverTime: null };
    }
    if (tsig.name !== canonicalName(this.key.name) || tsig.algorithm !== canonicalName(this.key.algorithm)) {
      return { status: 'other-key', name: tsig.name, algorithm: tsig.algorithm };
    }
    const full = createHmac(hashFor(this.key.algorithm), '').digest().length;
    if (tsig.mac.length > full || tsig.mac.length < Math.max(10, Math.ceil(full / 2))) return { status: 'bad-truncation' };
    const tail = this.#first
      ? tsigVariables(tsig.name, tsig.algorithm, tsig.timeSigned, tsig.fudge, tsig.error, tsig.other)
      : tsigTimers(tsig.timeSigned, tsig.fudge);
    const expected = hmac(this.key, [uint16(this.#priorMac.length), this.#priorMac, ...this.#unsignedSince, unsigned, tail]).subarray(0, tsig.mac.length);
    if (!timingSafeEqual(expected, tsig.mac)) return { status: 'mac-mismatch' };
    this.#first = false;
    this.#priorMac = tsig.mac;
    this.#unsignedSince = [];
    if (tsig.error !== 0) {
      // A signed BADTIME carries the server's clock in "other data" (§5.2.3).
      const serverTime = tsig.other.length === 6 ? readUint48(tsig.other, 0) : tsig.timeSigned;
      return { status: 'server-error', error: TSIG_ERRORS[tsig.error] ?? `TSIG error ${tsig.error}`, serverTime };
    }
    const skew = tsig.timeSigned - this.nowSeconds();
    if (Math.abs(skew) > tsig.fudge) return { status: 'time-outside-fudge', skewSeconds: skew };
    return { status: 'verified' };
  }

  /** The last message of an answer must be signed (§5.3.1). */
  get endsSigned(): boolean {
    return this.#unsignedSince.length === 0;
  }
}
