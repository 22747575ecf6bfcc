import type { Result } from '../apply/types.js';
import type { Action, DisplayValue, FieldChange, Operation, Plan } from '../plan/types.js';
import { summarize } from '../plan/types.js';
import { dangersOf, planDangers } from '../plan/danger.js';
import { KINDS, kindOf } from '../resources/index.js';
import { escapeText, neutraliseWorkflowCommands, safeLine } from './escape.js';
import type { StateSummary } from './state.js';
import type { Style } from './style.js';

const MARKER: Record<Action, string> = { create: '+', update: '~', delete: '-', noop: ' ', conflict: '!' };

export function formatValue(value: DisplayValue): string {
  if (value === null) return '(none)';
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.map(escapeText).join(', ');
  return escapeText(typeof value === 'string' ? value : String(value));
}

/** `(+c -b)`: what a reference set gains and loses. */
export function setDelta(change: FieldChange): string {
  const parts = [...(change.added ?? []).map((n) => `+${escapeText(n)}`), ...(change.removed ?? []).map((n) => `-${escapeText(n)}`)];
  return parts.length > 0 ? `  (${parts.join(' ')})` : '';
}

function markerColour(action: Action, style: Style): (s: string) => string {
  if (action === 'create') return style.green;
  if (action === 'update') return style.yellow;
  if (action === 'delete' || action === 'conflict') return style.red;
  return style.dim;
}

function changeLines(op: Operation, indent: string): string[] {
  const width = Math.max(0, ...op.changes.map((c) => c.field.length)) + 1;
  return op.changes.map((c: FieldChange) => {
    const label = `${c.field}:`.padEnd(width);
    if (op.action === 'create') return `${indent}${label} ${formatValue(c.after)}`;
    if (op.action === 'delete') return `${indent}${label} ${formatValue(c.before)}`;
    return `${indent}${label} ${formatValue(c.before)} → ${formatValue(c.after)}${setDelta(c)}`;
  });
}

export function planSummaryLine(plan: Plan): string {
  const s = summarize(plan);
  if (s.create + s.update + s.delete + s.conflict === 0) return `No changes. ${s.noop} unchanged.`;
  const parts = [`${s.create} to create`, `${s.update} to update`, `${s.delete} to delete`, `${s.noop} unchanged`];
  if (s.conflict > 0) parts.push(`${s.conflict} in conflict`);
  return `Plan: ${parts.join(', ')}.`;
}

/** The human plan: per kind, one line per change with `+ ~ - !`, field details below. */
export function renderPlanText(plan: Plan, style: Style, header: string, notes: string[] = []): string {
  const lines: string[] = [style.bold(header), ...notes.map((n) => style.dim(n)), ''];
  lines.push(...dangerBlock(plan, style));
  for (const spec of KINDS) {
    const ops = plan.operations.filter((op) => op.kind === spec.kind && op.action !== 'noop');
    if (ops.length === 0) continue;
    lines.push(style.bold(spec.title));
    const nameWidth = Math.max(...ops.map((op) => opTitle(op).length));
    for (const op of ops) {
      const colour = markerColour(op.action, style);
      const danger = dangersOf(op).length > 0 ? `  ${style.red('⚠ dangerous')}` : '';
      lines.push(`  ${colour(MARKER[op.action])} ${opTitle(op).padEnd(nameWidth)}  ${colour(op.action)}${danger}`);
      if (op.action === 'conflict') lines.push(`      ${style.red(escapeText(op.reason ?? ''))}`);
      if (op.action === 'delete' && op.reason) lines.push(`      ${style.dim(`why: ${escapeText(op.reason)}`)}`);
      lines.push(...changeLines(op, '      '));
    }
    lines.push('');
  }
  if (plan.unmanaged.length > 0) {
    lines.push(style.dim(`${plan.unmanaged.length} object(s) in the account are not in the config and were not created by dnsctl; left alone.`));
  }
  lines.push(style.bold(planSummaryLine(plan)));
  return neutraliseWorkflowCommands(`${lines.join('\n')}\n`);
}

/** A rename shows on the operation line: `old-name → new-name`. */
function opTitle(op: Operation): string {
  const rename = op.action === 'update' ? op.changes.find((c) => c.field === 'name') : undefined;
  return rename ? `${formatValue(rename.before)} → ${formatValue(rename.after)}` : escapeText(op.name);
}

/** Above the details: every dangerous change, one line each. */
export function dangerBlock(plan: Plan, style: Style): string[] {
  const dangers = planDangers(plan);
  if (dangers.length === 0) return [];
  const head = style.red(style.bold(`⚠ ${dangers.length} dangerous change${dangers.length === 1 ? '' : 's'}:`));
  return [head, ...dangers.map((d) => `  ${style.red("-")} ${escapeText(d.message)}`), ""];
}

/** One line per settled operation, for apply's running output. */
export function renderResultLine(result: Result, style: Style): string {
  const op = result.op;
  const label = `${kindOf(op.kind).label} ${escapeText(op.name)}`;
  const colour = markerColour(op.action, style);
  if (result.status === 'applied') return `${colour(MARKER[op.action])} ${label}: ${op.action}d${result.cloudflareId ? ` (id ${escapeText(result.cloudflareId)})` : ''}`;
  if (result.status === 'failed') return `${style.red('✗')} ${label}: ${op.action} failed: ${safeLine(result.error.message)}`;
  return `${style.yellow('…')} ${label}: ${op.action} skipped: ${safeLine(result.reason)}`;
}

export function applySummaryLine(summary: StateSummary): string {
  return (
    `Apply: ${summary.created} created, ${summary.updated} updated, ${summary.deleted} deleted, ` +
    `${summary.unchanged} unchanged, ${summary.failed} failed, ${summary.skipped} skipped.`
  );
}
