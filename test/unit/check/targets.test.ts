import { describe, expect, it } from 'vitest';
import { buildCheckTargets } from '../../../src/check/targets.js';
import type { DesiredResource, DesiredState, FieldValue } from '../../../src/resources/types.js';
import { Secret } from '../../../src/secret.js';
import { UsageError } from '../../../src/errors.js';

const tsig = (name: string, algo: string, secret: string): DesiredResource => ({ kind: 'tsig', name, values: { algo, secret: new Secret(secret) } });
const peer = (name: string, ip: string | null, port: number | null, tsigName: string | null): DesiredResource => ({
  kind: 'peer',
  name,
  values: { ip, port, ixfr_enable: false, tsig: tsigName },
});
// `peers` is a string[]: the lead's FieldValue gains string[]; until then, cast.
const peersValue = (names: string[]) => names as unknown as FieldValue;
const incoming = (zone: string, peers: string[]): DesiredResource => ({ kind: 'incoming', name: zone, values: { peers: peersValue(peers), auto_refresh_seconds: 86400 } });
const outgoing = (zone: string, peers: string[]): DesiredResource => ({ kind: 'outgoing', name: zone, values: { peers: peersValue(peers), enabled: true } });

function state(...resources: DesiredResource[]): DesiredState {
  return { accountId: '01a7362d577a6c3019a474fd6f485823', resources };
}

const desired = state(
  tsig('xfr.example.', 'hmac-sha256.', 'c2VjcmV0'),
  peer('primary', '192.0.2.53', null, 'XFR.example'),
  peer('backup', '2001:db8::53', 5353, null),
  peer('no-ip', null, 53, 'xfr.example.'),
  peer('secondary', '198.51.100.7', 53, 'xfr.example.'),
  incoming('example.com', ['primary', 'backup', 'no-ip']),
  outgoing('example.com', ['secondary', 'primary']),
  incoming('example.net', ['primary']),
  outgoing('example.org', ['secondary']),
);

describe('buildCheckTargets', () => {
  it('one target per (incoming zone, peer with an ip), in config order, with its TSIG key', () => {
    const { targets } = buildCheckTargets(desired);
    expect(targets.map((t) => [t.zone, t.peer, t.ip, t.port, t.tsig?.name ?? null, t.tsig?.algorithm ?? null])).toEqual([
      ['example.com', 'primary', '192.0.2.53', 53, 'xfr.example.', 'hmac-sha256.'],
      ['example.com', 'backup', '2001:db8::53', 5353, null, null],
      ['example.net', 'primary', '192.0.2.53', 53, 'xfr.example.', 'hmac-sha256.'],
    ]);
    const key = targets[0]!.tsig!;
    expect(key.secret.reveal()).toBe('c2VjcmV0');
  });

  it('lists peers without an ip, and peers only on outgoing links, as not checkable', () => {
    expect(buildCheckTargets(desired).notCheckable).toEqual([
      { zone: 'example.com', peer: 'no-ip', reason: 'no-ip' },
      { zone: 'example.com', peer: 'secondary', reason: 'outgoing-only' },
      { zone: 'example.org', peer: 'secondary', reason: 'outgoing-only' },
    ]);
  });

  it('--zone keeps one zone, matched case-insensitively, trailing dot or not', () => {
    const { targets, notCheckable } = buildCheckTargets(desired, { zone: 'Example.NET.' });
    expect(targets.map((t) => `${t.zone}/${t.peer}`)).toEqual(['example.net/primary']);
    expect(notCheckable).toEqual([]);
  });

  it('--zone naming a zone without links is a usage error listing the zones', () => {
    expect(() => buildCheckTargets(desired, { zone: 'example.info' })).toThrow(UsageError);
    expect(() => buildCheckTargets(desired, { zone: 'example.info' })).toThrow('zone "example.info" has no incoming or outgoing link in the config; its zones: example.com, example.net, example.org');
  });

  it('a config without zone links has nothing to probe', () => {
    expect(buildCheckTargets(state(tsig('a.', 'hmac-sha1.', 'eA=='), peer('p', '192.0.2.1', 53, 'a.')))).toEqual({ targets: [], notCheckable: [] });
  });

  it('a reference that does not resolve is not checkable (validation normally stops it first)', () => {
    const broken = state(peer('p', '192.0.2.1', 53, 'missing.'), incoming('example.com', ['p', 'ghost']));
    expect(buildCheckTargets(broken).notCheckable).toEqual([
      { zone: 'example.com', peer: 'p', reason: 'unknown-tsig' },
      { zone: 'example.com', peer: 'ghost', reason: 'unknown-peer' },
    ]);
  });
});
