/** The check report as GitHub Markdown, for a job summary or an issue. */
import { addressOf, countWord, failureLines, notCheckableReason, probeLabel, tsigLabel, yesNo } from './report-view.js';
import type { CheckReport } from './types.js';

/** Text from the config (peer names) must not break the table or inject markup. */
function cell(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

export function renderCheckMarkdown(report: CheckReport): string {
  const { passed, failed, notCheckable } = report.summary;
  const total = passed + failed;
  const out: string[] = [];
  out.push(failed === 0 ? `### dnsctl check: ✅ all ${countWord(total, 'probe')} passed` : `### dnsctl check: ❌ ${failed} of ${countWord(total, 'probe')} failed`, '');
  if (report.results.length > 0) {
    out.push('| Zone | Peer | Address | Probe | Result | Rcode | TSIG | AA | Serial | Records |', '|---|---|---|---|---|---|---|---|---:|---:|');
    for (const r of report.results) {
      out.push(
        `| ${cell(r.zone)} | ${cell(r.peer)} | \`${addressOf(r)}\` | ${probeLabel(r)} | ${r.ok ? '✅ ok' : '❌ fail'} | ${r.rcode ?? r.reachability} | ${cell(tsigLabel(r))} | ${yesNo(r.authoritative)} | ${r.serial ?? '-'} | ${r.records ?? ''} |`,
      );
    }
    out.push('');
  } else {
    out.push('Nothing to probe: no zone has an incoming link to a peer with an ip.', '');
  }
  const failures = failureLines(report.results);
  if (failures.length > 0) {
    out.push('**Failures**', '');
    for (const f of failures) out.push(`- **${cell(f.zone)}** via **${cell(f.peer)}** (${f.probes.join(', ')}): ${cell(f.problem)}`);
    out.push('');
  }
  if (notCheckable > 0) {
    out.push('**Not checkable from here**', '');
    for (const n of report.notCheckable) out.push(`- ${cell(n.zone)} via ${cell(n.peer)}: ${notCheckableReason(n)}`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
