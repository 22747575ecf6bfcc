import { describe, expect, it } from 'vitest';
import { problemFor } from '../../../src/check/advice.js';
import { renderCheckJson } from '../../../src/check/report-json.js';
import { renderCheckMarkdown } from '../../../src/check/report-markdown.js';
import { renderCheckText } from '../../../src/check/report-text.js';
import type { CheckReport, ProbeResult } from '../../../src/check/types.js';
import { colourStyle, plainStyle } from '../../../src/report/style.js';

function probe(fields: Partial<ProbeResult>): ProbeResult {
  return {
    zone: 'example.com',
    peer: 'primary',
    ip: '192.0.2.53',
    port: 53,
    query: 'SOA',
    transport: 'TCP',
    ok: true,
    reachability: 'answered',
    rcode: 'NOERROR',
    tsigKey: 'xfr.example.',
    tsig: 'verified',
    skewSeconds: null,
    authoritative: true,
    serial: 2026120101,
    records: null,
    messages: null,
    problem: null,
    ...fields,
  };
}

const report: CheckReport = {
  results: [
    probe({}),
    probe({ query: 'AXFR', records: 1504, messages: 8 }),
    probe({ peer: 'backup|1', ip: '2001:db8::53', port: 5353, ok: false, rcode: 'NOTAUTH', tsig: 'BADSIG', authoritative: false, serial: null, problem: 'signature mismatch for key xfr.example. (hmac-sha256.): secret or algorithm differs between the config and the primary' }),
    probe({ peer: 'backup|1', ip: '2001:db8::53', port: 5353, query: 'AXFR', ok: false, rcode: 'NOTAUTH', tsig: 'BADSIG', authoritative: null, serial: null, messages: 1, problem: 'signature mismatch for key xfr.example. (hmac-sha256.): secret or algorithm differs between the config and the primary' }),
    probe({ peer: 'far', ok: false, reachability: 'timeout', rcode: null, tsig: null, authoritative: null, serial: null, problem: 'no answer from 192.0.2.53:53 over TCP within 5 s: check that the server runs and listens there, and that no firewall drops TCP port 53 from here' }),
  ],
  notCheckable: [{ zone: 'example.org', peer: 'secondary', reason: 'outgoing-only' }],
  summary: { passed: 2, failed: 3, notCheckable: 1 },
};

describe('text report', () => {
  it('aligns the table, says what to fix once per failure, and totals', () => {
    expect(renderCheckText(report, plainStyle)).toBe(
      [
        'ZONE         PEER      ADDRESS              PROBE     RESULT  RCODE    TSIG      AA   SERIAL      RECORDS',
        'example.com  primary   192.0.2.53:53        SOA/TCP   ok      NOERROR  verified  yes  2026120101',
        'example.com  primary   192.0.2.53:53        AXFR/TCP  ok      NOERROR  verified  yes  2026120101  1504',
        'example.com  backup|1  [2001:db8::53]:5353  SOA/TCP   FAIL    NOTAUTH  BADSIG    no   -',
        'example.com  backup|1  [2001:db8::53]:5353  AXFR/TCP  FAIL    NOTAUTH  BADSIG    -    -',
        'example.com  far       192.0.2.53:53        SOA/TCP   FAIL    timeout  -         -    -',
        '',
        'Failures:',
        '  ✗ example.com via backup|1 (SOA/TCP, AXFR/TCP): signature mismatch for key xfr.example. (hmac-sha256.): secret or algorithm differs between the config and the primary',
        '  ✗ example.com via far (SOA/TCP): no answer from 192.0.2.53:53 over TCP within 5 s: check that the server runs and listens there, and that no firewall drops TCP port 53 from here',
        '',
        'Not checkable from here:',
        '  - example.org via secondary: outgoing link only: Cloudflare is the primary and the peer transfers from it',
        '',
        '2 passed, 3 failed, 1 not checkable',
        '',
      ].join('\n'),
    );
  });

  it('colour does not change the alignment', () => {
    const strip = (s: string) => s.replace(/\u001b\[\d+m/g, '');
    expect(strip(renderCheckText(report, colourStyle))).toBe(renderCheckText(report, plainStyle));
  });

  it('says so when there is nothing to probe', () => {
    const empty: CheckReport = { results: [], notCheckable: [], summary: { passed: 0, failed: 0, notCheckable: 0 } };
    expect(renderCheckText(empty, plainStyle)).toBe('Nothing to probe: no zone has an incoming link to a peer with an ip.\n\n0 passed, 0 failed\n');
  });
});

describe('JSON report', () => {
  it('has one entry per probe in snake_case and the summary', () => {
    const json = JSON.parse(renderCheckJson(report, { configPath: 'dnsctl.yaml', version: '0.1.0' }));
    expect(json.ok).toBe(false);
    expect(json.summary).toEqual({ passed: 2, failed: 3, not_checkable: 1 });
    expect(json.checks).toHaveLength(5);
    expect(json.checks[1]).toEqual({
      zone: 'example.com',
      peer: 'primary',
      address: '192.0.2.53:53',
      query: 'AXFR',
      transport: 'TCP',
      ok: true,
      reachability: 'answered',
      rcode: 'NOERROR',
      tsig_key: 'xfr.example.',
      tsig: 'verified',
      skew_seconds: null,
      authoritative: true,
      serial: 2026120101,
      records: 1504,
      messages: 8,
      problem: null,
    });
    expect(json.not_checkable[0]).toMatchObject({ zone: 'example.org', peer: 'secondary', reason: 'outgoing-only' });
  });
});

describe('Markdown report', () => {
  it('headline, table (config text escaped), failures, not checkable', () => {
    const md = renderCheckMarkdown(report);
    const lines = md.split('\n');
    expect(lines[0]).toBe('### dnsctl check: ❌ 3 of 5 probes failed');
    expect(lines).toContain('| example.com | backup\\|1 | `[2001:db8::53]:5353` | SOA/TCP | ❌ fail | NOTAUTH | BADSIG | no | - |  |');
    expect(lines).toContain('| example.com | primary | `192.0.2.53:53` | AXFR/TCP | ✅ ok | NOERROR | verified | yes | 2026120101 | 1504 |');
    expect(md).toContain('**Failures**\n\n- **example.com** via **backup\\|1** (SOA/TCP, AXFR/TCP): signature mismatch');
    expect(md).toContain('**Not checkable from here**\n\n- example.org via secondary: outgoing link only');
    const passed: CheckReport = { results: [probe({})], notCheckable: [], summary: { passed: 1, failed: 0, notCheckable: 0 } };
    expect(renderCheckMarkdown(passed).split('\n')[0]).toBe('### dnsctl check: ✅ all 1 probe passed');
  });
});

describe('what to fix', () => {
  const ctx = { algorithm: 'hmac-sha256.', timeoutMs: 1500, detail: null };
  const line = (fields: Partial<ProbeResult>) => problemFor(probe({ ok: false, ...fields }), ctx);

  it('one clear line per failure kind', () => {
    expect(line({ tsig: 'BADKEY', rcode: 'NOTAUTH' })).toBe('the primary does not know key xfr.example. (hmac-sha256.): add it to its config, or make the name and algorithm here match it');
    expect(line({ tsig: 'mac-mismatch' })).toMatch(/^signature mismatch for key xfr\.example\. \(hmac-sha256\.\): secret or algorithm differs/);
    expect(line({ tsig: 'BADTIME', skewSeconds: -3600 })).toMatch(/^the clock of 192\.0\.2\.53:53 is 3600 s behind this machine's.*NTP/);
    expect(line({ tsig: 'unsigned-answer' })).toMatch(/^the answer carries no TSIG signature/);
    expect(line({ reachability: 'timeout', rcode: null, tsig: null })).toMatch(/^no answer from 192\.0\.2\.53:53 over TCP within 1\.5 s/);
    expect(line({ reachability: 'refused', rcode: null, tsig: null })).toMatch(/^connection refused by 192\.0\.2\.53:53 \(TCP\): nothing listens there/);
    expect(line({ rcode: 'REFUSED' })).toMatch(/^the server refuses queries for example\.com: add the zone to it/);
    expect(line({ query: 'AXFR', rcode: 'REFUSED' })).toMatch(/^the primary refuses to transfer example\.com: allow key xfr\.example\./);
    expect(line({ rcode: 'NOTAUTH' })).toBe('the server is not authoritative for example.com: add the zone to it');
    expect(line({ authoritative: false })).toMatch(/^the server is not authoritative for example\.com \(no AA bit or no SOA/);
  });
});
