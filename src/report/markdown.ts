/**
 * Markdown renderings of a plan and of apply results, for a pull-request comment or a GitHub job
 * summary. Pure functions: a Plan (or Results) and some metadata in, a string out.
 *
 * Every name, value, reason and error message is untrusted text (a config can name a peer
 * `a|b<script>`): it goes through `escapeMarkdown`, which leaves no character that Markdown,
 * HTML or a GFM table would interpret. Values come from `FieldChange`s, which already hold display
 * values; a field flagged `sensitive` is printed as "(sensitive)" whatever it holds.
 */
import type { Result } from '../apply/types.js';
import { dangersOf, planDangers } from '../plan/danger.js';
import { summarize, type DisplayValue, type FieldChange, type Operation, type Plan } from '../plan/types.js';
import { KINDS } from '../resources/index.js';
import type { KindName } from '../resources/types.js';
import { ApiError, ConfigError, CredentialsError, NetworkError } from '../errors.js';
import { SENSITIVE } from '../secret.js';
import type { PlanMeta } from './json.js';

/** The same facts the JSON output carries. */
export type ReportMeta = PlanMeta;

/** More changed rows than this and the tables are folded into a <details> block. */
export const FOLD_THRESHOLD = 20;

// ---------------------------------------------------------------------------------------------
// Escaping

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '|': '&#124;',
  '`': '&#96;',
  '\\': '&#92;',
  '*': '&#42;',
  '_': '&#95;',
  '~': '&#126;',
  '[': '&#91;',
  ']': '&#93;',
  '#': '&#35;',
  '@': '&#64;',
  '$': '&#36;',
  '!': '&#33;',
};

/** C1 controls, zero-width characters and bidi marks/overrides/isolates: never shown as they are. */
function isInvisibleControl(code: number): boolean {
  return (
    (code >= 0x80 && code <= 0x9f) ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x2069) ||
    code === 0xfeff ||
    code === 0x061c
  );
}

/**
 * Makes untrusted text inert in GitHub Markdown, also inside a table cell: HTML and Markdown
 * punctuation become character references, control characters become visible control pictures
 * (a newline cannot end a table row), and bidi overrides become U+FFFD (no "Trojan source").
 */
export function escapeMarkdown(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ENTITIES[ch] !== undefined) out += ENTITIES[ch];
    else if (code < 0x20) out += String.fromCodePoint(0x2400 + code);
    else if (code === 0x7f) out += '\u2421';
    else if (isInvisibleControl(code)) out += '\uFFFD';
    else out += ch;
  }
  return out;
}

/** Untrusted text in monospace. `<code>` (unlike a backtick span) takes escaped content. */
export function code(text: string): string {
  return text === '' ? '<code>""</code>' : `<code>${escapeMarkdown(text)}</code>`;
}

function displayValue(value: DisplayValue, sensitive: boolean): string {
  if (value === null) return '_unset_';
  if (sensitive) return SENSITIVE;
  if (Array.isArray(value)) return value.length === 0 ? '_none_' : value.map((v) => code(v)).join(', ');
  return code(String(value));
}

/** ` (added x; removed y)` for a reference set. */
function setDelta(change: FieldChange): string {
  const parts: string[] = [];
  if (change.added?.length) parts.push(`added ${change.added.map((n) => code(n)).join(', ')}`);
  if (change.removed?.length) parts.push(`removed ${change.removed.map((n) => code(n)).join(', ')}`);
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

function kindLabel(kind: KindName): string {
  return KINDS.find((k) => k.kind === kind)?.label ?? kind;
}

function kindTitle(kind: KindName): string {
  return KINDS.find((k) => k.kind === kind)?.title ?? kind;
}

/** Operations grouped by kind, kinds in dependency order (unknown kinds last), plan order kept. */
function groupByKind<T>(items: T[], kindOfItem: (item: T) => KindName): Array<[KindName, T[]]> {
  const groups = new Map<KindName, T[]>();
  for (const item of items) {
    const kind = kindOfItem(item);
    const list = groups.get(kind) ?? [];
    list.push(item);
    groups.set(kind, list);
  }
  const rank = (kind: KindName): number => {
    const i = KINDS.findIndex((k) => k.kind === kind);
    return i === -1 ? KINDS.length : i;
  };
  return [...groups.entries()].sort(([a], [b]) => rank(a) - rank(b));
}

const ACTION_CELL: Record<Operation['action'], string> = {
  create: '`+` create',
  update: '`~` update',
  delete: '`-` delete',
  conflict: '`!` **conflict**',
  noop: 'no change',
};

function changeLine(change: FieldChange, action: Operation['action']): string | null {
  const field = code(change.field);
  if (action === 'create') {
    return change.after === null ? null : `${field}: ${displayValue(change.after, change.sensitive)}`;
  }
  if (action === 'delete') {
    return change.before === null ? null : `${field}: ${displayValue(change.before, change.sensitive)}`;
  }
  const before = displayValue(change.before, change.sensitive);
  const after = displayValue(change.after, change.sensitive);
  return `${field}: ${before} → ${after}${setDelta(change)}`;
}

function changesCell(op: Operation): string {
  if (op.action === 'conflict') return `**error:** ${escapeMarkdown(op.reason ?? 'conflict')}`;
  const lines = op.changes.map((c) => changeLine(c, op.action)).filter((l): l is string => l !== null);
  if (op.action === 'delete' && op.cloudflareId) lines.unshift(`id: ${code(op.cloudflareId)}`);
  if (op.action === 'delete' && op.reason) lines.push(`_why: ${escapeMarkdown(op.reason)}_`);
  return lines.length > 0 ? lines.join('<br>') : '';
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function fold(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function shortHash(hash: string): string {
  return hash.length > 12 ? hash.slice(0, 12) : hash;
}

function shortAccount(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id;
}

function footer(meta: ReportMeta): string {
  const parts = [
    `dnsctl ${escapeMarkdown(meta.version)}`,
    `config ${code(meta.configPath)} (sha256 ${code(shortHash(meta.configSha256))})`,
    `plan ${code(meta.planHash)}`,
    `account ${code(shortAccount(meta.accountId))}`,
  ];
  return `<sub>${parts.join(' · ')}</sub>`;
}

function resourceRef(op: Operation): string {
  return `${escapeMarkdown(kindLabel(op.kind))} ${code(op.name)}`;
}

/** A GitHub alert block ("> [!CAUTION]") with a bold first line and a bullet list. */
function caution(title: string, items: string[]): string {
  return ['> [!CAUTION]', `> **${title}**`, ...items.map((i) => `> - ${i}`)].join('\n');
}

/**
 * The block a pull-request comment or job summary opens with when the plan holds dangerous
 * changes (deletes, a peer losing its TSIG, a TSIG key change, a link losing peers or disabled).
 */
function dangerWarning(plan: Plan, title: string): string | null {
  const dangers = planDangers(plan);
  if (dangers.length === 0) return null;
  return ['> [!WARNING]', `> **⚠️ ${plural(dangers.length, 'dangerous change')} ${title}**`, ...dangers.map((d) => `> - ${escapeMarkdown(d.message)}`)].join('\n');
}

/** A dangerous operation's Changes cell opens with the mark (the Action cell keeps its fixed text). */
function markedChanges(op: Operation): string {
  const changes = changesCell(op);
  return dangersOf(op).length > 0 ? `⚠️ ${changes}` : changes;
}

function tablesByKind(ops: Operation[], header: string[], row: (op: Operation) => string[]): string {
  return groupByKind(ops, (op) => op.kind)
    .map(([kind, list]) => `#### ${escapeMarkdown(kindTitle(kind))}\n\n${table(header, list.map(row))}`)
    .join('\n\n');
}

function maybeFold(tables: string, rows: number): string {
  return rows > FOLD_THRESHOLD ? fold(`Show all ${rows} changes`, tables) : tables;
}

// ---------------------------------------------------------------------------------------------
// Plan

export function renderPlanMarkdown(plan: Plan, meta: ReportMeta): string {
  const s = summarize(plan);
  const changed = plan.operations.filter((op) => op.action !== 'noop');
  const sections: string[] = [];
  // Right under the title line: the first thing a reviewer reads, above every table and fold.
  const warning = dangerWarning(plan, 'in this plan: review before merging');

  if (changed.length === 0) {
    sections.push('### dnsctl plan: no changes');
    sections.push(`The account already matches the config: ${plural(s.noop, 'resource')} unchanged.`);
  } else {
    const counts = [`${s.create} to create`, `${s.update} to update`, `${s.delete} to delete`, `${s.noop} unchanged`];
    if (s.conflict > 0) counts.push(plural(s.conflict, 'conflict'));
    sections.push(`### dnsctl plan: ${counts.join(', ')}`);
    if (warning) sections.push(warning);

    const conflicts = changed.filter((op) => op.action === 'conflict');
    if (conflicts.length > 0) {
      sections.push(
        caution(
          `${plural(conflicts.length, 'conflict')}: apply will not change ${conflicts.length === 1 ? 'this resource' : 'these resources'} until resolved`,
          conflicts.map((op) => `${resourceRef(op)}: ${escapeMarkdown(op.reason ?? 'conflict')}`),
        ),
      );
    }

    const tables = tablesByKind(changed, ['Name', 'Action', 'Changes'], (op) => [
      code(op.name),
      ACTION_CELL[op.action],
      markedChanges(op),
    ]);
    sections.push(maybeFold(tables, changed.length));
    if (s.noop > 0) sections.push(`${plural(s.noop, 'unchanged resource')} not listed.`);
  }

  if (plan.unmanaged.length > 0) {
    const items = plan.unmanaged.map((u) => `- ${escapeMarkdown(kindLabel(u.kind))} ${code(u.name)} (id ${code(u.id)})`);
    sections.push(
      fold(
        `${plural(plan.unmanaged.length, 'object')} in the account ${plan.unmanaged.length === 1 ? 'is' : 'are'} not managed by dnsctl and left alone`,
        items.join('\n'),
      ),
    );
  }

  for (const note of meta.notes ?? []) sections.push(`> ${escapeMarkdown(note)}`);
  sections.push(footer(meta));
  return `${sections.join('\n\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Apply

function statusCell(result: Result | undefined): string {
  if (!result) return '⚪ not run';
  switch (result.status) {
    case 'applied':
      return '✅ applied';
    case 'failed':
      return `❌ **failed:** ${errorText(result)}`;
    case 'skipped':
      return `⏭️ skipped: ${escapeMarkdown(result.reason)}`;
  }
}

function errorText(result: Extract<Result, { status: 'failed' }>): string {
  const details: string[] = [];
  if (result.error.status !== undefined) details.push(`HTTP ${result.error.status}`);
  if (result.error.codes && result.error.codes.length > 0) details.push(`code ${result.error.codes.join(', ')}`);
  const suffix = details.length > 0 ? ` (${details.join(', ')})` : '';
  return `${escapeMarkdown(result.error.message)}${suffix}`;
}

export function renderApplyMarkdown(results: Result[], plan: Plan, meta: ReportMeta): string {
  const byId = new Map(results.map((r) => [r.op.id, r]));
  const ops = plan.operations.filter((op) => op.action !== 'noop');
  const unchanged = summarize(plan).noop;

  const count = (status: Result['status']): number => ops.filter((op) => byId.get(op.id)?.status === status).length;
  const applied = count('applied');
  const failed = count('failed');
  const skipped = count('skipped');
  const notRun = ops.filter((op) => !byId.has(op.id)).length;

  const sections: string[] = [];
  const warning = dangerWarning(plan, 'in this apply');
  if (ops.length === 0) {
    sections.push('### dnsctl apply: no changes');
    sections.push(`Nothing to apply: ${plural(unchanged, 'resource')} unchanged.`);
  } else {
    const counts = [`${applied} applied`, `${failed} failed`, `${skipped} skipped`];
    if (notRun > 0) counts.push(`${notRun} not run`);
    counts.push(`${unchanged} unchanged`);
    sections.push(`### dnsctl apply: ${counts.join(', ')}`);
    if (warning) sections.push(warning);

    const failures = ops.filter((op) => byId.get(op.id)?.status === 'failed');
    if (failures.length > 0) {
      const title =
        `${plural(failures.length, 'operation')} failed` +
        (skipped > 0 ? `, ${plural(skipped, 'operation')} skipped` : '') +
        ': the account is partly updated; fix the cause and run apply again';
      sections.push(
        caution(
          title,
          failures.map((op) => {
            const r = byId.get(op.id) as Extract<Result, { status: 'failed' }>;
            return `${resourceRef(op)} (${op.action}): ${errorText(r)}`;
          }),
        ),
      );
    } else if (notRun > 0) {
      sections.push(caution(`${plural(notRun, 'operation')} did not run: the apply was interrupted`, []));
    }

    const tables = tablesByKind(ops, ['Name', 'Action', 'Status', 'Changes'], (op) => [
      code(op.name),
      ACTION_CELL[op.action],
      statusCell(byId.get(op.id)),
      markedChanges(op),
    ]);
    sections.push(maybeFold(tables, ops.length));
    if (unchanged > 0) sections.push(`${plural(unchanged, 'unchanged resource')} not listed.`);
  }

  sections.push(footer(meta));
  return `${sections.join('\n\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Failure: the comment a failed plan or apply leaves, so the pull request says why.

export interface FailureMeta {
  command: string;
  configPath: string;
  version: string;
}

/** What to do about an error whose message does not say it already. */
export function failureHint(err: unknown): string | null {
  if (err instanceof CredentialsError) {
    return "Pass the credentials in the step's env: block from a repository secret: CLOUDFLARE_API_TOKEN (permission Account Settings Write).";
  }
  if (err instanceof ApiError) {
    if (err.status === 401 || err.status === 403) {
      return 'Check the token: it needs Account › Account Settings › Edit on this account, and the account ID must be that account.';
    }
    if (err.status === 429) return "The account's API budget (1200 requests per 5 minutes) is spent; run the job again in a few minutes.";
    if (err.status >= 500 || err.unreadable) return 'Cloudflare failed, not the config: run the job again.';
  }
  if (err instanceof NetworkError) return 'Cloudflare could not be reached: run the job again.';
  return null;
}

/**
 * Why `dnsctl <command>` failed: config problems as a list with their lines, any other error
 * with what to do about it. `where` turns a problem's file into the name readers know (the
 * path from the repository root, in Actions).
 */
export function renderFailureMarkdown(err: unknown, meta: FailureMeta, where: (file: string) => string = (f) => f): string {
  const sections = [`### dnsctl ${escapeMarkdown(meta.command)} failed: ${code(meta.configPath)}`];
  if (err instanceof ConfigError) {
    const problems = [...err.problems].sort((a, b) => a.line - b.line || a.col - b.col);
    const errors = problems.filter((p) => p.severity === 'error').length;
    sections.push(`**${plural(errors, 'problem')} in the config**; nothing was changed. Fix ${errors === 1 ? 'it' : 'them'} and push again.`);
    sections.push(
      problems
        .map((p) => {
          const at = p.line > 0 ? `${where(p.file)}:${p.line}:${p.col}` : where(p.file);
          const field = p.path ? `${code(p.path)}: ` : '';
          return `- ${code(at)} ${p.severity === 'warning' ? '(warning) ' : ''}${field}${escapeMarkdown(p.message)}`;
        })
        .join('\n'),
    );
  } else {
    const message = err instanceof Error ? err.message : String(err);
    sections.push(caution('The run stopped with this error', [escapeMarkdown(message)]));
    const hint = failureHint(err);
    if (hint) sections.push(`**What to do:** ${escapeMarkdown(hint)}`);
  }
  sections.push(`<sub>dnsctl ${escapeMarkdown(meta.version)} · config ${code(meta.configPath)}</sub>`);
  return `${sections.join('\n\n')}\n`;
}
