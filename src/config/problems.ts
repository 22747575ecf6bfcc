/** Building and ordering the Problems of one config file. */
import type { Problem } from '../errors.js';
import type { FieldPath } from './positions.js';

/** A problem with the file as a whole, with no position in it (line 0). */
export function fileProblem(file: string, message: string): Problem {
  return { file, line: 0, col: 0, path: '', message, severity: 'error' };
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** By line, then column; problems at one position keep their order. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.col - b.col);
}

const MAX_SHOWN_CHARS = 60;

/** Whether the value at a path must not be shown in a message (a secret, or a variable's value). */
export type IsHidden = (path: FieldPath) => boolean;

/**
 * How a message names a value it got: `string "53"`, `0`, `a list`. A `hidden` value (a secret,
 * or one that came from an environment variable) is named by its type only.
 */
export function describeValue(value: unknown, hidden = false): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (hidden) return `a ${typeof value} (not shown)`;
  if (typeof value === 'string') return `string ${quote(value)}`;
  return String(value);
}

/** A value quoted for a one-line message, shortened when long. */
export function quote(value: string): string {
  const shown = value.length > MAX_SHOWN_CHARS ? `${value.slice(0, MAX_SHOWN_CHARS)}…` : value;
  return JSON.stringify(shown);
}
