/**
 * `dnsctl check` from the built CLI, as a user runs it, against a real BIND 9 named on
 * 127.0.0.1: one spawn per output format, each asserting the report, the exit code, and that no
 * TSIG secret reaches stdout or stderr. No API token, no Cloudflare: nothing else is listening.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { humanLines, removeTempDirs, runCli, tempDir, writeText } from '../support/cli.js';
import { newKey, startNamed, zoneFile, type RunningNamed } from '../integration/check/named.js';

const SERIAL = 2026120301;
const good = newKey('xfr.example.', 'hmac-sha256', 'hmac-sha256.');
const drifted = newKey('drift.example.', 'hmac-sha512', 'hmac-sha512.', 64);
const DRIFTED_IN_CONFIG = Buffer.alloc(64, 0x42).toString('base64'); // not what named has
const SECRETS = [good.secret, DRIFTED_IN_CONFIG, drifted.secret];
const example = zoneFile('example.com', SERIAL, 40);
const drift = zoneFile('example.net', SERIAL, 0);
const other = zoneFile('example.org', SERIAL + 1, 0);

let named: RunningNamed;
let config: string;
const env = { XFR_SECRET: good.secret, DRIFT_SECRET: DRIFTED_IN_CONFIG, CLOUDFLARE_ACCOUNT_ID: '01a7362d577a6c3019a474fd6f485823' };

beforeAll(async () => {
  named = await startNamed(
    [good, drifted],
    [
      { name: 'example.com', serial: SERIAL, recordCount: example.recordCount, transferKeys: [good.name], text: example.text },
      { name: 'example.net', serial: SERIAL, recordCount: drift.recordCount, transferKeys: [drifted.name], text: drift.text },
      { name: 'example.org', serial: SERIAL + 1, recordCount: other.recordCount, transferKeys: [good.name], text: other.text },
    ],
  );
  config = writeText(
    tempDir('dnsctl-check-e2e-'),
    'dnsctl.yaml',
    `version: 1
tsigs:
  - name: xfr.example.
    algo: hmac-sha256.
    secret: \${XFR_SECRET}
  - name: drift.example.
    algo: hmac-sha512.
    secret: \${DRIFT_SECRET}
peers:
  - name: primary
    ip: 127.0.0.1
    port: ${named.port}
    tsig: xfr.example.
  - name: drifted
    ip: 127.0.0.1
    port: ${named.port}
    tsig: drift.example.
  - name: downstream
    ip: 192.0.2.99
zones:
  - name: example.com
    incoming: { peers: [primary] }
    outgoing: { peers: [downstream], enabled: true }
  - name: example.net
    incoming: { peers: [drifted] }
  - name: example.org
    incoming: { peers: [primary] }
`,
  );
});

afterAll(async () => {
  await named?.stop();
  removeTempDirs();
});

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('dnsctl check (built CLI, real named)', () => {
  it('--output json --axfr --udp: every probe, BADSIG for the drifted key, exit 1', async () => {
    const run = await runCli(['check', config, '--axfr', '--udp', '--output', 'json'], { env });
    expect(humanLines(run.stderr).filter((l) => !/: warning: /.test(l))).toEqual([]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    const rows = report.checks.map((c: Record<string, unknown>) => [c.zone, c.peer, `${c.query}/${c.transport}`, c.ok, c.rcode, c.tsig, c.serial, c.records]);
    expect(rows).toEqual([
      ['example.com', 'primary', 'SOA/TCP', true, 'NOERROR', 'verified', SERIAL, null],
      ['example.com', 'primary', 'SOA/UDP', true, 'NOERROR', 'verified', SERIAL, null],
      ['example.com', 'primary', 'AXFR/TCP', true, 'NOERROR', 'verified', SERIAL, example.recordCount + 1],
      ['example.net', 'drifted', 'SOA/TCP', false, 'NOTAUTH', 'BADSIG', null, null],
      ['example.net', 'drifted', 'SOA/UDP', false, 'NOTAUTH', 'BADSIG', null, null],
      ['example.net', 'drifted', 'AXFR/TCP', false, 'NOTAUTH', 'BADSIG', null, null],
      ['example.org', 'primary', 'SOA/TCP', true, 'NOERROR', 'verified', SERIAL + 1, null],
      ['example.org', 'primary', 'SOA/UDP', true, 'NOERROR', 'verified', SERIAL + 1, null],
      ['example.org', 'primary', 'AXFR/TCP', true, 'NOERROR', 'verified', SERIAL + 1, other.recordCount + 1],
    ]);
    expect(report.summary).toEqual({ passed: 6, failed: 3, not_checkable: 1 });
    expect(report.not_checkable).toEqual([expect.objectContaining({ zone: 'example.com', peer: 'downstream', reason: 'outgoing-only' })]);
    expectNoSecret(run.stdout + run.stderr);
  });

  it('text: the table, one line saying what to fix, the totals, exit 1', async () => {
    const run = await runCli(['check', config], { env });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^ZONE +PEER +ADDRESS +PROBE +RESULT +RCODE +TSIG +AA +SERIAL +RECORDS$/m);
    expect(run.stdout).toMatch(new RegExp(`^example\\.com +primary +127\\.0\\.0\\.1:${named.port} +SOA/TCP +ok +NOERROR +verified +yes +${SERIAL}$`, 'm'));
    expect(run.stdout).toContain(
      '  ✗ example.net via drifted (SOA/TCP): signature mismatch for key drift.example. (hmac-sha512.): secret or algorithm differs between the config and the primary\n',
    );
    expect(run.stdout).toContain('  - example.com via downstream: outgoing link only');
    expect(run.stdout).toMatch(/\n2 passed, 1 failed, 1 not checkable\n$/);
    expectNoSecret(run.stdout + run.stderr);
  });

  it('--output markdown --zone: only that zone, all passing, exit 0', async () => {
    const run = await runCli(['check', config, '--zone', 'Example.ORG.', '--axfr', '--output', 'markdown'], { env });
    expect(humanLines(run.stderr).filter((l) => !/: warning: /.test(l))).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('### dnsctl check: ✅ all 2 probes passed');
    expect(run.stdout).toContain(`| example.org | primary | \`127.0.0.1:${named.port}\` | AXFR/TCP | ✅ ok | NOERROR | verified | yes | ${SERIAL + 1} | ${other.recordCount + 1} |`);
    expect(run.stdout).not.toContain('example.com');
    expectNoSecret(run.stdout + run.stderr);
  });
});
