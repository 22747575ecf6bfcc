/**
 * Validates the config's plain value against buildSchema() with ajv, and turns ajv's errors into
 * positioned Problems in plain English, one per real problem.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import type { Problem } from '../errors.js';
import { pointerToPath, problemAt, type ConfigDocument } from './positions.js';
import { describeValue, quote, type IsHidden } from './problems.js';
import { nameProblems } from './names.js';
import { PATTERN_MESSAGE, buildSchema } from './schema.js';
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
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, verbose: true, validateSchema: false, keywords: [PATTERN_MESSAGE] });
    (addFormatsPlugin as unknown as (ajv: Ajv2020, formats: string[]) => void)(ajv, ['ipv4', 'ipv6']);
    compiled = ajv.compile(buildSchema());
  }
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
    case 'maxLength':
      return `must be at most ${String(error.params.limit)} characters long`;
    case 'minItems':
      return `must list at least ${String(error.params.limit)}`;
    case 'maxItems':
      return `must list at most ${String(error.params.limit)}, got ${(error.data as unknown[]).length}`;
    case 'uniqueItems': {
      const repeated = (error.data as unknown[])[Number(error.params.i)];
      return `lists ${typeof repeated === 'string' && !hidden ? quote(repeated) : 'an entry'} twice; the list is a set (order and repeats do not matter)`;
    }
    case 'pattern': {
      const explained = (error.parentSchema as Record<string, unknown> | undefined)?.[PATTERN_MESSAGE];
      return `${typeof explained === 'string' ? explained : `must match ${String(error.params.pattern)}`}, got ${got}`;
    }
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
  return errors.filter((e) => e.keyword === 'type' || (!wrongType.has(e.instancePath) && !leftToSemanticChecks(e)));
}

/**
 * Address formats, CIDR shapes and the account id are in the schema for editors; the semantic
 * checks (and account.ts) explain them better, so ajv's version is dropped.
 */
function leftToSemanticChecks(error: ErrorObject): boolean {
  if (error.keyword === 'format' || error.keyword === 'anyOf') return true;
  // Names: config/names.ts says more (bytes, control characters, edge whitespace).
  if (error.keyword === 'maxLength' && /\/name$/.test(error.instancePath)) return true;
  if (error.keyword === 'pattern' && /\/name$/.test(error.instancePath) && typeof error.data === 'string') {
    return nameProblems(error.data).some((p) => p.severity === 'error');
  }
  return error.keyword === 'pattern' && (error.instancePath === '/account_id' || /\/ip_range$/.test(error.instancePath));
}
