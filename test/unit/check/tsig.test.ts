/**
 * TSIG test vectors. Every expected MAC is computed here with node:crypto over digest bytes
 * assembled by hand from RFC 8945 §4.3 (not by the code under test), and every message is
 * written byte by byte.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AnswerVerifier, signMessage, splitTsig } from '../../../src/check/tsig.js';
import { Secret } from '../../../src/secret.js';

const SECRET_BYTES = Buffer.from('00112233445566778899aabbccddeeff0123456789abcdef', 'hex');
const SECRET = SECRET_BYTES.toString('base64');

/** Wire form of a name, by hand: length-prefixed labels and a zero. */
function wire(...labels: string[]): Buffer {
  return Buffer.concat([...labels.flatMap((l) => [Buffer.from([l.length]), Buffer.from(l, 'ascii')]), Buffer.from([0])]);
}
const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const u32 = (n: number) => Buffer.from([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
const u48 = (n: number) => Buffer.concat([u16(Math.floor(n / 2 ** 32)), u32(n % 2 ** 32)]);

const ALGORITHMS = [
  { name: 'hmac-md5.sig-alg.reg.int.', wire: wire('hmac-md5', 'sig-alg', 'reg', 'int'), hash: 'md5' },
  { name: 'hmac-sha1.', wire: wire('hmac-sha1'), hash: 'sha1' },
  { name: 'hmac-sha224.', wire: wire('hmac-sha224'), hash: 'sha224' },
  { name: 'hmac-sha256.', wire: wire('hmac-sha256'), hash: 'sha256' },
  { name: 'hmac-sha384.', wire: wire('hmac-sha384'), hash: 'sha384' },
  { name: 'hmac-sha512.', wire: wire('hmac-sha512'), hash: 'sha512' },
];
const KEY_WIRE = wire('xfr', 'example');
const TIME = 1_764_590_400; // 2025-12-01T12:00:00Z
const FUDGE = 300;

/** SOA query for example.com, ID 0x1234, no flags, by hand. */
const QUERY = Buffer.concat([u16(0x1234), u16(0), u16(1), u16(0), u16(0), u16(0), wire('example', 'com'), u16(6), u16(1)]);

/** The answer: QR+AA, the question, one SOA (owner compressed to the question's name). */
function answerBytes(id: number, serial: number): Buffer {
  const rdata = Buffer.concat([wire('ns1', 'example', 'com'), wire('hostmaster', 'example', 'com'), u32(serial), u32(3600), u32(600), u32(604800), u32(300)]);
  return Buffer.concat([u16(id), u16(0x8400), u16(1), u16(1), u16(0), u16(0), wire('example', 'com'), u16(6), u16(1), u16(0xc00c), u16(6), u16(1), u32(3600), u16(rdata.length), rdata]);
}

function variables(algWire: Buffer, time: number, error = 0, other: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([KEY_WIRE, u16(255), u32(0), algWire, u48(time), u16(FUDGE), u16(error), u16(other.length), other]);
}

function tsigRecord(algWire: Buffer, time: number, mac: Buffer, originalId: number, error = 0, other: Buffer = Buffer.alloc(0), keyWire: Buffer = KEY_WIRE): Buffer {
  const rdata = Buffer.concat([algWire, u48(time), u16(FUDGE), u16(mac.length), mac, u16(originalId), u16(error), u16(other.length), other]);
  return Buffer.concat([keyWire, u16(250), u16(255), u32(0), u16(rdata.length), rdata]);
}

/** Appends a TSIG record and bumps ARCOUNT. */
function withTsig(message: Buffer, record: Buffer): Buffer {
  const out = Buffer.concat([message, record]);
  out.writeUInt16BE(message.readUInt16BE(10) + 1, 10);
  return out;
}

const hmac = (hash: string, ...parts: Buffer[]) => {
  const h = createHmac(hash, SECRET_BYTES);
  for (const p of parts) h.update(p);
  return h.digest();
};

function key(algorithm = 'hmac-sha256.', name = 'Xfr.Example') {
  return { name, algorithm, secret: new Secret(SECRET) };
}

describe('signing a query (RFC 8945 §4.3.3)', () => {
  it.each(ALGORITHMS)('$name: MAC over the message and the TSIG variables, record appended', (alg) => {
    const expectedMac = hmac(alg.hash, QUERY, variables(alg.wire, TIME));
    // The key name is written in mixed case and without the final dot: it is signed in canonical form.
    const signed = signMessage(QUERY, key(alg.name), { timeSigned: TIME });
    expect(signed.mac.toString('hex')).toBe(expectedMac.toString('hex'));
    expect(signed.message.toString('hex')).toBe(withTsig(QUERY, tsigRecord(alg.wire, TIME, expectedMac, 0x1234)).toString('hex'));
  });

  it('time signed is 48 bits: a time beyond 2^32 s keeps its high bits', () => {
    const far = 2 ** 32 + 5;
    const expectedMac = hmac('sha256', QUERY, variables(ALGORITHMS[3]!.wire, far));
    expect(signMessage(QUERY, key(), { timeSigned: far }).mac.equals(expectedMac)).toBe(true);
  });
});

describe('verifying an answer', () => {
  const alg = ALGORITHMS[3]!; // hmac-sha256
  const requestMac = hmac('sha256', QUERY, variables(alg.wire, TIME));
  const now = () => TIME + 2;

  /** A signed answer whose header ID differs from the original ID, as after a forwarder. */
  function signedAnswer(options: { time?: number; truncateTo?: number; error?: number; other?: Buffer; keyWire?: Buffer; tamper?: boolean } = {}) {
    const time = options.time ?? TIME + 1;
    const answer = answerBytes(0x1234, 2026120101);
    let mac = hmac('sha256', u16(requestMac.length), requestMac, answer, variables(alg.wire, time, options.error, options.other));
    if (options.truncateTo) mac = Buffer.from(mac.subarray(0, options.truncateTo));
    const message = withTsig(answer, tsigRecord(alg.wire, time, mac, 0x1234, options.error, options.other, options.keyWire));
    message.writeUInt16BE(0x9999, 0);
    if (options.tamper) message.writeUInt8(message.readUInt8(85) ^ 1, 85); // a bit of the SOA serial
    return message;
  }

  it('verifies a correct MAC over request MAC, answer (original ID restored) and variables', () => {
    expect(new AnswerVerifier(key(), requestMac, now).next(signedAnswer())).toEqual({ status: 'verified' });
  });

  it('splitTsig gives back the signed bytes: TSIG removed, ARCOUNT and ID restored', () => {
    const { unsigned, tsig } = splitTsig(signedAnswer());
    expect(unsigned.toString('hex')).toBe(answerBytes(0x1234, 2026120101).toString('hex'));
    expect(tsig).toMatchObject({ name: 'xfr.example.', algorithm: 'hmac-sha256.', timeSigned: TIME + 1, fudge: FUDGE, originalId: 0x1234, error: 0 });
  });

  it('a changed byte is a MAC mismatch', () => {
    expect(new AnswerVerifier(key(), requestMac, now).next(signedAnswer({ tamper: true }))).toEqual({ status: 'mac-mismatch' });
  });

  it('another secret is a MAC mismatch', () => {
    const other = { ...key(), secret: new Secret(Buffer.alloc(24, 7).toString('base64')) };
    expect(new AnswerVerifier(other, requestMac, now).next(signedAnswer())).toEqual({ status: 'mac-mismatch' });
  });

  it('a MAC truncated to half the hash is accepted; below that (or below 10 bytes) it is not', () => {
    expect(new AnswerVerifier(key(), requestMac, now).next(signedAnswer({ truncateTo: 16 }))).toEqual({ status: 'verified' });
    expect(new AnswerVerifier(key(), requestMac, now).next(signedAnswer({ truncateTo: 15 }))).toEqual({ status: 'bad-truncation' });
  });

  it('time signed outside the fudge: the skew is reported after the MAC verifies', () => {
    const verdict = new AnswerVerifier(key(), requestMac, now).next(signedAnswer({ time: TIME - 1000 }));
    expect(verdict).toEqual({ status: 'time-outside-fudge', skewSeconds: -1002 });
  });

  it('an answer signed with another key name is reported as such', () => {
    const verdict = new AnswerVerifier(key(), requestMac, now).next(signedAnswer({ keyWire: wire('other', 'example') }));
    expect(verdict).toEqual({ status: 'other-key', name: 'other.example.', algorithm: 'hmac-sha256.' });
  });

  it('BADKEY / BADSIG come back unsigned (empty MAC) with the error', () => {
    for (const [error, name] of [
      [17, 'BADKEY'],
      [16, 'BADSIG'],
    ] as const) {
      const answer = answerBytes(0x1234, 1);
      answer.writeUInt16BE(0x8009, 2); // NOTAUTH
      const message = withTsig(answer, tsigRecord(alg.wire, TIME, Buffer.alloc(0), 0x1234, error));
      expect(new AnswerVerifier(key(), requestMac, now).next(message)).toEqual({ status: 'server-error', error: name, serverTime: null });
    }
  });

  it('BADTIME is signed and carries the server clock in other data', () => {
    const serverTime = TIME + 7200;
    const verdict = new AnswerVerifier(key(), requestMac, now).next(signedAnswer({ time: TIME, error: 18, other: u48(serverTime) }));
    expect(verdict).toEqual({ status: 'server-error', error: 'BADTIME', serverTime });
  });

  it('an answer without TSIG is unsigned', () => {
    expect(new AnswerVerifier(key(), requestMac, now).next(answerBytes(0x1234, 1))).toEqual({ status: 'unsigned' });
  });
});

describe('multi-message answers (RFC 8945 §5.3.1)', () => {
  const alg = ALGORITHMS[5]!; // hmac-sha512
  const requestMac = hmac('sha512', QUERY, variables(alg.wire, TIME));
  const now = () => TIME;
  const timers = (t: number) => Buffer.concat([u48(t), u16(FUDGE)]);

  function transfer() {
    const m1 = answerBytes(0x1234, 7);
    const mac1 = hmac('sha512', u16(requestMac.length), requestMac, m1, variables(alg.wire, TIME));
    const m2 = answerBytes(0x1234, 8); // sent unsigned
    const m3 = answerBytes(0x1234, 9);
    const mac3 = hmac('sha512', u16(mac1.length), mac1, m2, m3, timers(TIME + 1));
    const m4 = answerBytes(0x1234, 10);
    const mac4 = hmac('sha512', u16(mac3.length), mac3, m4, timers(TIME + 1));
    return {
      signed1: withTsig(m1, tsigRecord(alg.wire, TIME, mac1, 0x1234)),
      unsigned2: m2,
      signed3: withTsig(m3, tsigRecord(alg.wire, TIME + 1, mac3, 0x1234)),
      signed4: withTsig(m4, tsigRecord(alg.wire, TIME + 1, mac4, 0x1234)),
      m3,
      mac1,
    };
  }

  it('later MACs cover the prior MAC, the unsigned messages since, and the timers only', () => {
    const t = transfer();
    const verifier = new AnswerVerifier(key('hmac-sha512.'), requestMac, now);
    expect(verifier.next(t.signed1)).toEqual({ status: 'verified' });
    expect(verifier.next(t.unsigned2)).toBeNull();
    expect(verifier.endsSigned).toBe(false);
    expect(verifier.next(t.signed3)).toEqual({ status: 'verified' });
    expect(verifier.next(t.signed4)).toEqual({ status: 'verified' });
    expect(verifier.endsSigned).toBe(true);
  });

  it('dropping the unsigned message in between breaks the next MAC', () => {
    const t = transfer();
    const verifier = new AnswerVerifier(key('hmac-sha512.'), requestMac, now);
    verifier.next(t.signed1);
    expect(verifier.next(t.signed3)).toEqual({ status: 'mac-mismatch' });
  });

  it('a later message signed as if it were the first (full variables) does not verify', () => {
    const t = transfer();
    const wrongMac = hmac('sha512', u16(t.mac1.length), t.mac1, t.m3, variables(alg.wire, TIME + 1));
    const verifier = new AnswerVerifier(key('hmac-sha512.'), requestMac, now);
    verifier.next(t.signed1);
    expect(verifier.next(withTsig(t.m3, tsigRecord(alg.wire, TIME + 1, wrongMac, 0x1234)))).toEqual({ status: 'mac-mismatch' });
  });

  it('the first message must be signed', () => {
    const t = transfer();
    expect(new AnswerVerifier(key('hmac-sha512.'), requestMac, now).next(t.unsigned2)).toEqual({ status: 'unsigned' });
  });
});
