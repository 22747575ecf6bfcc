/** The check report as JSON: snake_case like the other JSON outputs; never a secret. */
import { addressOf, notCheckableReason } from './report-view.js';
import type { CheckReport } from './types.js';

export function checkJson(report: CheckReport, meta: { configPath: string; version: string }) {
  return {
    dnsctl_version: meta.version,
    config: { path: meta.configPath },
    ok: report.summary.failed === 0,
    summary: { passed: report.summary.passed, failed: report.summary.failed, not_checkable: report.summary.notCheckable },
    checks: report.results.map((r) => ({
      zone: r.zone,
      peer: r.peer,
      address: addressOf(r),
      query: r.query,
      transport: r.transport,
      ok: r.ok,
      reachability: r.reachability,
      rcode: r.rcode,
      tsig_key: r.tsigKey,
      tsig: r.tsig,
      skew_seconds: r.skewSeconds,
      authoritative: r.authoritative,
      serial: r.serial,
      records: r.records,
      messages: r.messages,
      problem: r.problem,
    })),
    not_checkable: report.notCheckable.map((n) => ({ zone: n.zone, peer: n.peer, reason: n.reason, message: notCheckableReason(n) })),
  };
}

export function renderCheckJson(report: CheckReport, meta: { configPath: string; version: string }): string {
  return `${JSON.stringify(checkJson(report, meta), null, 2)}\n`;
}
