/**
 * GitHub Actions integration: workflow commands (annotations, masks) as pure string builders,
 * and two tiny appends to the files the runner names in $GITHUB_STEP_SUMMARY and $GITHUB_OUTPUT.
 * The CLI turns all of it on only when `isGitHubActions(env)`.
 *
 * Escaping follows the runner's workflow-command rules: in the message, `%` `\r` `\n` become
 * `%25` `%0D` `%0A`; in a property value, also `:` `,` become `%3A` `%2C`.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Result } from '../apply/types.js';
import type { Problem } from '../errors.js';
import { kindOf } from '../resources/index.js';

export type Env = Record<string, string | undefined>;

export function isGitHubActions(env: Env): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::name key=value,…::message`, properties in the given order, empty ones left out. */
export function workflowCommand(name: string, properties: Record<string, string | number | undefined>, message: string): string {
  const props = Object.entries(properties)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== '')
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  return `::${name}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

/**
 * A file as GitHub names it: relative to the repository root ($GITHUB_WORKSPACE), with `/`.
 * Only then does GitHub attach an annotation to the pull request's diff — the action may run
 * dnsctl in a `working-directory`. Unchanged outside the workspace or without one.
 */
export function workspacePath(file: string, env: Env, cwd: string = process.cwd()): string {
  const workspace = env.GITHUB_WORKSPACE;
  if (!workspace || !file) return file;
  const rel = relative(resolve(workspace), resolve(cwd, file));
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return file;
  return rel.split(sep).join('/');
}

/** One `::error` / `::warning` annotation per problem, placed on the file, line and column. */
export function githubAnnotations(problems: Problem[], env: Env = {}, cwd: string = process.cwd()): string[] {
  return problems.map((p) =>
    workflowCommand(
      p.severity === 'warning' ? 'warning' : 'error',
      {
        file: p.file ? workspacePath(p.file, env, cwd) : undefined,
        line: p.line > 0 ? p.line : undefined,
        col: p.line > 0 && p.col > 0 ? p.col : undefined,
        title: p.path ? `dnsctl: ${p.path}` : 'dnsctl',
      },
      p.message,
    ),
  );
}

/** One `::error` per operation that failed (its API error), so the run's page shows it, not only the log. */
export function failureAnnotations(results: Result[]): string[] {
  return results.flatMap((r) =>
    r.status === 'failed'
      ? [workflowCommand('error', { title: `dnsctl apply: ${kindOf(r.op.kind).label} ${r.op.name}` }, `${r.op.action} failed: ${r.error.message}`)]
      : [],
  );
}

/**
 * `::add-mask::` lines for the runner to redact these values from the log. A multi-line secret is
 * masked line by line (the log is redacted per line); empty and whitespace-only lines are skipped,
 * as are duplicates.
 */
export function maskCommands(secrets: string[]): string[] {
  const values = new Set<string>();
  for (const secret of secrets) {
    for (const line of secret.split(/\r?\n|\r/)) {
      if (line.trim() !== '') values.add(line);
    }
  }
  return [...values].map((value) => `::add-mask::${escapeData(value)}`);
}

/**
 * Appends the Markdown to the job summary. Returns false (and writes nothing) outside Actions.
 * The summary is a convenience: when the file cannot be written, `warn` gets one line and the run
 * goes on with its own outcome (failing a finished apply over it would misreport the apply).
 */
export function appendStepSummary(env: Env, markdown: string, warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): boolean {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return false;
  try {
    appendFileSync(file, markdown.endsWith('\n') ? markdown : `${markdown}\n`, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    warn(`dnsctl: warning: could not write the job summary to GITHUB_STEP_SUMMARY (${file}: ${why}); the run goes on without it`);
    return false;
  }
  return true;
}

/**
 * One entry of $GITHUB_OUTPUT: `name=value`, or for a value with a line break the heredoc form
 * `name<<DELIM` … `DELIM` with a delimiter that does not occur in the value.
 */
export function formatOutput(name: string, value: string, delimiter = `ghadelimiter_${randomUUID()}`): string {
  if (name === '' || /[=\r\n]/.test(name) || name.includes('<<')) {
    throw new Error(`invalid GitHub output name ${JSON.stringify(name)}`);
  }
  if (!/[\r\n]/.test(value)) return `${name}=${value}\n`;
  if (value.includes(delimiter) || name.includes(delimiter)) {
    throw new Error('the output delimiter occurs in the value');
  }
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

/**
 * Appends step outputs to $GITHUB_OUTPUT. Returns false (and writes nothing) outside Actions.
 * An output named `…-path` is made absolute: later steps (upload-artifact) resolve a relative
 * path against the workspace, not against the directory dnsctl ran in.
 */
export function setOutputs(
  env: Env,
  outputs: Record<string, string>,
  cwd: string = process.cwd(),
  warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): boolean {
  const file = env.GITHUB_OUTPUT;
  if (!file) return false;
  const text = Object.entries(outputs)
    .map(([name, value]) => formatOutput(name, name.endsWith('-path') && value !== '' ? resolve(cwd, value) : value))
    .join('');
  try {
    appendFileSync(file, text, 'utf8');
  } catch (err) {
    // Like the summary: the run keeps its own outcome (an apply that happened must not look failed).
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    warn(`dnsctl: warning: could not write the step outputs to GITHUB_OUTPUT (${file}: ${why}); later steps will not see ${Object.keys(outputs).join(', ')}`);
    return false;
  }
  return true;
}
