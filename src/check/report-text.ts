/** The check report for people: an aligned table, one line per failure, the totals. */
import type { Style } from '../report/style.js';
import { addressOf, failureLines, notCheckableReason, probeLabel, tsigLabel, yesNo } from './report-view.js';
import type { CheckReport } from './types.js';

export function renderCheckText(report: CheckReport, style: Style): string {
  const out: string[] = [];
  const { results } = report;
  if (results.length > 0) {
    const header = ['ZONE', 'PEER', 'ADDRESS', 'PROBE', 'RESULT', 'RCODE', 'TSIG', 'AA', 'SERIAL', 'RECORDS'];
    const rows = results.map((r) => [
      r.zone,
      r.peer,
      addressOf(r),
      probeLabel(r),
      r.ok ? 'ok' : 'FAIL',
      r.rcode ?? r.reachability,
      tsigLabel(r),
      yesNo(r.authoritative),
      r.serial === null ? '-' : String(r.serial),
      r.records === null ? '' : String(r.records),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    const line = (cells: string[], paint: (cell: string, i: number) => string = (c) => c) =>
      cells
        .map((cell, i) => paint(i === cells.length - 1 ? cell : cell.padEnd(widths[i]!), i))
        .join('  ')
        .trimEnd();
    out.push(style.bold(line(header)));
    for (const row of rows) out.push(line(row, (cell, i) => (i === 4 ? (row[4] === 'ok' ? style.green(cell) : style.red(cell)) : cell)));
  } else {
    out.push('Nothing to probe: no zone has an incoming link to a peer with an ip.');
  }
  const failures = failureLines(results);
  if (failures.length > 0) {
    out.push('', 'Failures:');
    for (const f of failures) out.push(`  ${style.red('✗')} ${f.zone} via ${f.peer} (${f.probes.join(', ')}): ${f.problem}`);
  }
  if (report.notCheckable.length > 0) {
    out.push('', 'Not checkable from here:');
    for (const n of report.notCheckable) out.push(`  - ${n.zone} via ${n.peer}: ${notCheckableReason(n)}`);
  }
  const { passed, failed, notCheckable } = report.summary;
  const totals = [`${passed} passed`, `${failed} failed`, ...(notCheckable ? [`${notCheckable} not checkable`] : [])].join(', ');
  out.push('', failed === 0 ? style.green(totals) : style.red(totals));
  return `${out.join('\n')}\n`;
}
