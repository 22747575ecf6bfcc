import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { canonicalName, canonicalNameWire, messageLayout, readUint48, writeUint48 } from '../../../src/check/wire.js';

describe('names', () => {
  it('canonical form: lower case, one trailing dot', () => {
    expect(canonicalName('Xfr.Example')).toBe('xfr.example.');
    expect(canonicalName('xfr.example.')).toBe('xfr.example.');
    expect(canonicalName('.')).toBe('.');
  });

  it('canonical wire form: length-prefixed lower-case labels, no compression', () => {
    expect(canonicalNameWire('A.bc.').toString('hex')).toBe('0161026263' + '00');
    expect(canonicalNameWire('.').toString('hex')).toBe('00');
    expect(() => canonicalNameWire('a..b')).toThrow('not a valid DNS name');
    expect(() => canonicalNameWire(`${'x'.repeat(64)}.example`)).toThrow('not a valid DNS name');
  });
});

describe('messageLayout', () => {
  it('finds the last additional record of a message with compressed names', () => {
    const message = dnsPacket.encode({
      type: 'response',
      id: 7,
      questions: [{ type: 'SOA', name: 'example.com' }],
      answers: [{ type: 'A', name: 'www.example.com', data: '192.0.2.1' }],
      additionals: [
        { type: 'A', name: 'ns1.example.com', data: '192.0.2.53' },
        { type: 'TXT', name: 'last.example.com', data: 'x' },
      ],
    });
    const layout = messageLayout(message);
    expect(layout.id).toBe(7);
    expect(layout.arcount).toBe(2);
    // From that offset on: the TXT record, not the A record before it.
    const last = message.subarray(layout.lastAdditionalOffset!);
    expect(last.includes(Buffer.from('last'))).toBe(true);
    expect(last.includes(Buffer.from('ns1'))).toBe(false);
    expect(message.subarray(0, layout.lastAdditionalOffset!).includes(Buffer.from('ns1'))).toBe(true);
  });

  it('reports a message cut short instead of reading past its end', () => {
    const message = dnsPacket.encode({ type: 'response', id: 1, questions: [{ type: 'SOA', name: 'example.com' }], answers: [{ type: 'A', name: 'example.com', data: '192.0.2.1' }] });
    expect(() => messageLayout(message.subarray(0, message.length - 2))).toThrow(RangeError);
    expect(messageLayout(dnsPacket.encode({ type: 'query', id: 2, questions: [] })).lastAdditionalOffset).toBeNull();
  });
});

describe('48-bit time', () => {
  it('round-trips beyond 32 bits', () => {
    for (const n of [0, 1_764_590_400, 2 ** 32 + 5, 2 ** 48 - 1]) expect(readUint48(writeUint48(n), 0)).toBe(n);
    expect(writeUint48(2 ** 32 + 5).toString('hex')).toBe('000100000005');
  });
});
