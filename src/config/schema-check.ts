/**
 * Validates the config's plain value against buildSchema() with ajv, and turns ajv's errors into
 * positioned Problems in plain English, one per real problem.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Problem } from '../errors.js';
import { pointerToPath, problemAt, type ConfigDocument } from './positions.js';
import { describeValue, quote, type IsHidden } from './problems.js';
import { buildSchema } from './schema.js';
import { didYouMean } from './suggest.js';

const TYPE_NOUNS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
};

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  // validateSchema: false skips the meta-schema check at every start (~50 ms); the schema is
  // ours and test/unit/config/schema.test.ts checks it against the meta-schema.
  compiled ??= new Ajv2020({ allErrors: true, verbose: true, validateSchema: false }).compile(buildSchema());
  return compiled;
}

export function checkAgainstSchema(
  source: ConfigDocument,
  config: Record<string, unknown>,
  isHidden: IsHidden,
): Problem[] {
  const validate = validator();
  if (validate(config)) return [];
  return withoutNoise(validate.errors ?? []).map((error) => toProblem(source, config, error, isHidden));
}

function toProblem(source: ConfigDocument, config: unknown, error: ErrorObject, isHidden: IsHidden): Problem {
  const path = pointerToPath(error.instancePath, config);
  if (error.keyword === 'additionalProperties') {
    const key = String(error.params.additionalProperty);
    const allowed = Object.keys((error.parentSchema?.properties ?? {}) as Record<string, unknown>);
    const message = `unknown key ${quote(key)}${didYouMean(key, allowed)}`;
    return problemAt(source, [...path, key], message, { at: 'key', problemPath: path });
  }
  if (error.keyword === 'required') {
    return problemAt(source, path, `missing required field ${quote(String(error.params.missingProperty))}`);
  }
  return problemAt(source, path, valueMessage(error, isHidden(path)));
}

/** What is wrong with a value, e.g. `must be an integer, got string "53"`. */
function valueMessage(error: ErrorObject, hidden: boolean): string {
  const got = describeValue(error.data, hidden);
  switch (error.keyword) {
    case 'type':
      return `must be ${TYPE_NOUNS[String(error.params.type)] ?? String(error.params.type)}, got ${got}`;
    case 'const':
      return `must be ${JSON.stringify(error.params.allowedValue)}, got ${got}`;
    case 'enum': {
      const allowed = (error.params.allowedValues as unknown[]).map(String);
      const suggestion = typeof error.data === 'string' && !hidden ? didYouMean(error.data, allowed) : '';
      return `must be one of: ${allowed.join(', ')}; got ${got}${suggestion}`;
    }
    case 'minimum':
    case 'maximum':
      return `${rangeWording((error.parentSchema ?? {}) as Record<string, unknown>)}, got ${got}`;
    case 'minLength':
      return error.params.limit === 1 ? 'must not be empty' : `must be at least ${String(error.params.limit)} characters long`;
    default:
      // Every keyword buildSchema() uses is worded above (a unit test checks); this is ajv's own text.
      return error.message ?? `does not satisfy "${error.keyword}"`;
  }
}

function rangeWording(schema: Record<string, unknown>): string {
  const { minimum, maximum } = schema;
  if (minimum !== undefined && maximum !== undefined) return `must be between ${String(minimum)} and ${String(maximum)}`;
  return minimum !== undefined ? `must be at least ${String(minimum)}` : `must be at most ${String(maximum)}`;
}

/**
 * Where a value has the wrong type, ajv also reports keywords that cannot hold for it
 * (`algo: 5` fails both `type` and `enum`); only the type error is worth saying.
 */
function withoutNoise(errors: readonly ErrorObject[]): ErrorObject[] {
  const wrongType = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  return errors.filter((e) => e.keyword === 'type' || !wrongType.has(e.instancePath));
}
