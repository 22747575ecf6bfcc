/**
 * The parsed config → DesiredState, or every problem: ${VAR} interpolation, the JSON Schema
 * check, the account ID and the semantic checks, all run, their problems sorted by position.
 */
import type { Problem } from '../errors.js';
import type { DesiredState } from '../resources/types.js';
import { resolveAccountId } from './account.js';
import { toDesiredState } from './desired.js';
import { interpolateVariables } from './env.js';
import { isSensitivePath } from './items.js';
import type { ParsedConfig } from './parse.js';
import { formatPath, type FieldPath } from './positions.js';
import { hasErrors, sortProblems } from './problems.js';
import { checkAgainstSchema } from './schema-check.js';
import { checkSemantics } from './semantic.js';

export type Validation =
  | { valid: true; desired: DesiredState; problems: Problem[] }
  | { valid: false; problems: Problem[] };

export interface ValidationOptions {
  /** validate --allow-unset-env: unset variables (and a missing account ID) are warnings. */
  allowUnsetVariables?: boolean;
}

/** The variable a string value is read from, when it is exactly one `${NAME}`. */
function variableAt(raw: unknown, path: FieldPath): string | undefined {
  let value = raw;
  for (const segment of path) value = (value as Record<string | number, unknown> | null | undefined)?.[segment];
  return typeof value === 'string' ? /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value)?.[1] : undefined;
}

export function validateConfig(parsed: ParsedConfig, env: NodeJS.ProcessEnv, options: ValidationOptions = {}): Validation {
  const allowUnset = options.allowUnsetVariables ?? false;
  const interpolated = interpolateVariables(parsed, parsed.value, env, allowUnset);
  const config = interpolated.value;
  const fromVariable = (path: FieldPath) => interpolated.fromVariables.has(formatPath(path));
  const isHidden = (path: FieldPath) => fromVariable(path) || isSensitivePath(path);

  const account = resolveAccountId(parsed, config, env, isHidden);
  if (allowUnset && account.missing) account.problems = account.problems.map((p) => ({ ...p, severity: 'warning' }));
  const checks = [
    ...checkAgainstSchema(parsed, config, isHidden),
    ...checkSemantics({ source: parsed, config, isHidden, fromVariable, variableAt: (path) => variableAt(parsed.value, path) }),
    ...account.problems,
  ];
  // A value whose variable is missing was already reported; checking its text as written adds noise.
  const relevant = checks.filter((p) => !interpolated.unresolved.has(p.path));
  const problems = sortProblems([...parsed.warnings, ...interpolated.problems, ...relevant]);

  if (hasErrors(problems) || (account.accountId === null && !allowUnset)) return { valid: false, problems };
  return { valid: true, problems, desired: toDesiredState(parsed, config, account.accountId ?? '') };
}
