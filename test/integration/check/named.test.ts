/**
 * `dnsctl check`'s engine against a real BIND 9 `named` on 127.0.0.1 (one process for the file),
 * plus servers that misbehave on purpose. Fails, never skips, when named cannot start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderCheckJson, renderCheckMarkdown, renderCheckText, runChecks } from '../../../src/check/index.js';
import type { CheckReport, CheckTarget, ProbeResult } from '../../../src/check/types.js';
import { plainStyle } from '../../../src/report/style.js';
import { Secret } from '../../../src/secret.js';
import { blackHoleTcp, blackHoleUdp, unsignedTcp, type FakeServer } from './fakes.js';
import { freePort, newKey, startNamed, zoneFile, type NamedKey, type RunningNamed } from './named.js';

const ZONE = 'example.com';
const SERIAL = 2026120101;
const TXT_RECORDS = 600; // about 50 kB: BIND sends the transfer in several messages

const KEYS: NamedKey[] = [
  newKey('xfr.example.', 'hmac-sha256', 'hmac-sha256.'),
  newKey('md5.example.', 'hmac-md5', 'hmac-md5.sig-alg.reg.int.', 16),
  newKey('sha1.example.', 'hmac-sha1', 'hmac-sha1.', 20),
  newKey('sha224.example.', 'hmac-sha224', 'hmac-sha224.', 28),
  newKey('sha384.example.', 'hmac-sha384', 'hmac-sha384.', 48),
  newKey('sha512.example.', 'hmac-sha512', 'hmac-sha512.', 64),
];
const MAIN = KEYS[0]!;
const WRONG_SECRET = Buffer.alloc(32, 0x5a).toString('base64');
const zone = zoneFile(ZONE, SERIAL, TXT_RECORDS);

let named: RunningNamed;
let closedPort: number;
const fakes: FakeServer[] = [];

beforeAll(async () => {
  named = await startNamed(KEYS, [{ name: ZONE, serial: SERIAL, recordCount: zone.recordCount, transferKeys: KEYS.map((k) => k.name), text: zone.text }]);
  closedPort = await freePort();
});

afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  await named?.stop();
});

function key(k: NamedKey, overrides: { name?: string; algorithm?: string; secret?: string } = {}) {
  return { name: overrides.name ?? k.name, algorithm: overrides.algorithm ?? k.algorithm, secret: new Secret(overrides.secret ?? k.secret) };
}

function target(peer: string, fields: Partial<CheckTarget> = {}): CheckTarget {
  return { zone: ZONE, peer, ip: '127.0.0.1', port: named.port, tsig: key(MAIN), ...fields };
}

async function check(targets: CheckTarget[], options: { axfr?: boolean; udp?: boolean; timeoutMs?: number; now?: () => number } = {}): Promise<CheckReport> {
  return runChecks({ targets, notCheckable: [] }, { axfr: options.axfr ?? false, udp: options.udp ?? false, timeoutMs: options.timeoutMs ?? 3000, concurrency: 8, ...(options.now ? { now: options.now } : {}) });
}

const brief = (r: ProbeResult) => ({ probe: `${r.query}/${r.transport}`, ok: r.ok, reachability: r.reachability, rcode: r.rcode, tsig: r.tsig });

describe('against BIND 9', () => {
  it('correct key: SOA over TCP and UDP and a multi-message AXFR pass; serial and record count match the zone file', async () => {
    const report = await check([target('primary')], { axfr: true, udp: true });
    expect(report.results.map(brief)).toEqual([
      { probe: 'SOA/TCP', ok: true, reachability: 'answered', rcode: 'NOERROR', tsig: 'verified' },
      { probe: 'SOA/UDP', ok: true, reachability: 'answered', rcode: 'NOERROR', tsig: 'verified' },
      { probe: 'AXFR/TCP', ok: true, reachability: 'answered', rcode: 'NOERROR', tsig: 'verified' },
    ]);
    for (const r of report.results) {
      expect(r.serial).toBe(SERIAL);
      expect(r.authoritative).toBe(true);
      expect(r.problem).toBeNull();
    }
    const axfr = report.results[2]!;
    expect(axfr.records).toBe(zone.recordCount + 1); // the closing SOA, counted as dig counts
    expect(axfr.messages).toBeGreaterThan(1); // so the §5.3.1 chaining of MACs was exercised
    expect(report.summary).toEqual({ passed: 3, failed: 0, notCheckable: 0 });
  });

  it('every algorithm dnsctl accepts: BIND verifies our signature and we verify its answer', async () => {
    const report = await check(KEYS.map((k) => target(k.algorithm, { tsig: key(k) })), { axfr: true });
    expect(report.results.filter((r) => !r.ok).map((r) => `${r.peer} ${r.query}: ${r.problem}`)).toEqual([]);
    expect(report.results).toHaveLength(KEYS.length * 2);
  });

  it('wrong secret: BADSIG, "signature mismatch", on SOA and AXFR', async () => {
    const report = await check([target('wrong-secret', { tsig: key(MAIN, { secret: WRONG_SECRET }) })], { axfr: true, udp: true });
    expect(report.results.map(brief)).toEqual(
      ['SOA/TCP', 'SOA/UDP', 'AXFR/TCP'].map((probe) => ({ probe, ok: false, reachability: 'answered', rcode: 'NOTAUTH', tsig: 'BADSIG' })),
    );
    expect(report.results[0]!.problem).toBe('signature mismatch for key xfr.example. (hmac-sha256.): secret or algorithm differs between the config and the primary');
  });

  it('unknown key name: BADKEY, "the primary does not know key"', async () => {
    const [r] = (await check([target('unknown-key', { tsig: key(MAIN, { name: 'nobody.example.' }) })])).results;
    expect(brief(r!)).toEqual({ probe: 'SOA/TCP', ok: false, reachability: 'answered', rcode: 'NOTAUTH', tsig: 'BADKEY' });
    expect(r!.problem).toBe('the primary does not know key nobody.example. (hmac-sha256.): add it to its config, or make the name and algorithm here match it');
  });

  it('wrong algorithm: BIND knows the name with another algorithm and answers BADKEY', async () => {
    const [r] = (await check([target('wrong-algorithm', { tsig: key(MAIN, { algorithm: 'hmac-sha512.' }) })])).results;
    expect(brief(r!)).toEqual({ probe: 'SOA/TCP', ok: false, reachability: 'answered', rcode: 'NOTAUTH', tsig: 'BADKEY' });
    expect(r!.problem).toContain('key xfr.example. (hmac-sha512.)');
  });

  it("a zone the server does not serve: REFUSED for SOA, NOTAUTH for AXFR, both signed and verified", async () => {
    const report = await check([target('wrong-zone', { zone: 'example.net' })], { axfr: true });
    expect(report.results.map(brief)).toEqual([
      { probe: 'SOA/TCP', ok: false, reachability: 'answered', rcode: 'REFUSED', tsig: 'verified' },
      { probe: 'AXFR/TCP', ok: false, reachability: 'answered', rcode: 'NOTAUTH', tsig: 'verified' },
    ]);
    expect(report.results[0]!.problem).toMatch(/^the server refuses queries for example\.net: add the zone to it/);
    expect(report.results[1]!.problem).toBe('the server is not authoritative for example.net: add the zone to it');
  });

  it('clock skew: BIND answers BADTIME, signed, and the skew is reported', async () => {
    const [r] = (await check([target('skewed')], { now: () => Date.now() + 3_600_000 })).results;
    expect(brief(r!)).toEqual({ probe: 'SOA/TCP', ok: false, reachability: 'answered', rcode: 'NOTAUTH', tsig: 'BADTIME' });
    // BIND's clock is this machine's; ours was set an hour ahead.
    expect(r!.skewSeconds).toBeGreaterThanOrEqual(-3605);
    expect(r!.skewSeconds).toBeLessThanOrEqual(-3595);
    expect(r!.problem).toMatch(/is 3\d{3} s behind this machine's, more than TSIG allows: synchronise both clocks \(NTP\)$/);
  });

  it('a peer without TSIG: unsigned SOA passes, the unsigned AXFR is refused by the zone ACL', async () => {
    const report = await check([target('no-tsig', { tsig: null })], { axfr: true });
    expect(report.results.map(brief)).toEqual([
      { probe: 'SOA/TCP', ok: true, reachability: 'answered', rcode: 'NOERROR', tsig: 'none' },
      { probe: 'AXFR/TCP', ok: false, reachability: 'answered', rcode: 'REFUSED', tsig: 'none' },
    ]);
    expect(report.results[1]!.problem).toBe("the primary refuses to transfer example.com: allow this address in the zone's allow-transfer");
  });
});

describe('when the peer does not answer properly', () => {
  it('nothing listening: connection refused over TCP and UDP', async () => {
    const report = await check([target('closed', { port: closedPort })], { udp: true });
    expect(report.results.map(brief)).toEqual([
      { probe: 'SOA/TCP', ok: false, reachability: 'refused', rcode: null, tsig: null },
      { probe: 'SOA/UDP', ok: false, reachability: 'refused', rcode: null, tsig: null },
    ]);
    expect(report.results[0]!.problem).toBe(`connection refused by 127.0.0.1:${closedPort} (TCP): nothing listens there; check the peer's ip and port, and the server's listen-on`);
  });

  it('black-holed port: timeout over TCP (accepts, never answers) and UDP (never replies)', async () => {
    const tcp = await blackHoleTcp();
    const udp = await blackHoleUdp();
    fakes.push(tcp, udp);
    const fast = { axfr: false, timeoutMs: 200, concurrency: 4 };
    const [report, udpReport] = await Promise.all([
      runChecks({ targets: [target('tcp-hole', { port: tcp.port })], notCheckable: [] }, { ...fast, udp: false }),
      // The UDP socket has no TCP side: over TCP that port refuses, over UDP it is silent.
      runChecks({ targets: [target('udp-hole', { port: udp.port })], notCheckable: [] }, { ...fast, udp: true }),
    ]);
    expect(brief(report.results[0]!)).toEqual({ probe: 'SOA/TCP', ok: false, reachability: 'timeout', rcode: null, tsig: null });
    expect(brief(udpReport.results[1]!)).toEqual({ probe: 'SOA/UDP', ok: false, reachability: 'timeout', rcode: null, tsig: null });
    expect(report.results[0]!.problem).toBe(`no answer from 127.0.0.1:${tcp.port} over TCP within 0.2 s: check that the server runs and listens there, and that no firewall drops TCP port ${tcp.port} from here`);
  });

  it('an answer without TSIG to a signed query', async () => {
    const fake = await unsignedTcp(SERIAL);
    fakes.push(fake);
    const [r] = (await check([target('unsigned', { port: fake.port })])).results;
    expect(brief(r!)).toEqual({ probe: 'SOA/TCP', ok: false, reachability: 'answered', rcode: 'NOERROR', tsig: 'unsigned-answer' });
    expect(r!.serial).toBe(SERIAL);
    expect(r!.problem).toMatch(/^the answer carries no TSIG signature although the query was signed with key xfr\.example\./);
  });
});

describe('secrets', () => {
  it('never appear in any rendering of real results, passing or failing', async () => {
    const report = await check([target('primary'), target('wrong-secret', { tsig: key(MAIN, { secret: WRONG_SECRET }) }), target('closed', { port: closedPort })], { axfr: true, udp: true });
    expect(report.summary.failed).toBeGreaterThan(0);
    expect(report.summary.passed).toBeGreaterThan(0);
    const outputs = [JSON.stringify(report), renderCheckText(report, plainStyle), renderCheckJson(report, { configPath: 'x.yaml', version: '0' }), renderCheckMarkdown(report)];
    for (const output of outputs) {
      for (const secret of [MAIN.secret, WRONG_SECRET, Buffer.from(MAIN.secret, 'base64').toString('hex')]) expect(output).not.toContain(secret);
    }
  });
});
