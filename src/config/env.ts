/**
 * `${NAME}` references to environment variables in string values, resolved against `env`.
 * `$${` is a literal `${`. An unset or empty variable is an error at the value's position;
 * no message ever contains a variable's value.
 */
import type { Problem } from '../errors.js';
import { formatPath, problemAt, type ConfigDocument, type FieldPath } from './positions.js';

export interface Interpolated {
  value: Record<string, unknown>;
  problems: Problem[];
  /** Formatted paths of the strings that referenced a variable (their values are not to be shown). */
  fromVariables: Set<string>;
  /** Formatted paths of the strings with a reference that could not be resolved (left as written). */
  unresolved: Set<string>;
}

/** `$${` (escape), `${NAME}`, or a `${` that starts no valid reference. */
const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$\{/g;

const MALFORMED_REFERENCE =
  '"${" is not followed by a variable name and "}"; write ${NAME} (letters, digits, underscores), or $${ for a literal "${"';

/**
 * `allowUnset` (validate --allow-unset-env, for CI jobs that get no secrets): an unset or empty
 * variable is a warning, and the value stays as written. A malformed reference is still an error.
 */
export function interpolateVariables(
  source: ConfigDocument,
  config: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  allowUnset = false,
): Interpolated {
  const result: Omit<Interpolated, 'value'> = { problems: [], fromVariables: new Set(), unresolved: new Set() };

  const substitute = (text: string, path: FieldPath): string => {
    const failures: string[] = [];
    const unset: string[] = [];
    let referenced = false;
    const replaced = text.replace(REFERENCE, (match: string, name: string | undefined) => {
      if (match === '$${') return '${';
      if (name === undefined) {
        failures.push(MALFORMED_REFERENCE);
        return match;
      }
      referenced = true;
      const resolved = env[name];
      if (resolved === undefined) unset.push(`environment variable ${name} is not set`);
      else if (resolved === '') unset.push(`environment variable ${name} is empty`);
      return resolved ?? match;
    });
    if (referenced) result.fromVariables.add(formatPath(path));
    if (failures.length === 0 && unset.length === 0) return replaced;
    result.unresolved.add(formatPath(path));
    result.problems.push(...failures.map((message) => problemAt(source, path, message)));
    result.problems.push(
      ...unset.map((message) =>
        allowUnset ? problemAt(source, path, `${message} (allowed by --allow-unset-env)`, { severity: 'warning' }) : problemAt(source, path, message),
      ),
    );
    return text;
  };

  const walk = (value: unknown, path: FieldPath): unknown => {
    if (typeof value === 'string') return substitute(value, path);
    if (Array.isArray(value)) return value.map((item: unknown, index) => walk(item, [...path, index]));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item, [...path, key])]));
    }
    return value;
  };

  return { value: walk(config, []) as Record<string, unknown>, ...result };
}
