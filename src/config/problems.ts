/** Building and ordering the Problems of one config file. */
import type { Problem } from '../errors.js';

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
