/**
 * YAML text → the parsed document (kept for positions) and its plain value. Refuses, with every
 * YAML error positioned, what is not one well-formed mapping: syntax errors, tabs in indentation,
 * duplicate keys, several documents, alias bombs, nesting deeper than MAX_NESTING_DEPTH.
 */
import { LineCounter, Parser, isScalar, parseDocument, visit, type CST, type ErrorCode, type YAMLError } from 'yaml';
import { ConfigError, type Problem } from '../errors.js';
import { problemAt, problemAtOffset, type ConfigDocument, type FieldPath } from './positions.js';
import { describeValue, fileProblem, quote, sortProblems } from './problems.js';

/** Alias expansions allowed (weighted as the yaml library counts them); defuses "billion laughs". */
export const MAX_ALIAS_COUNT = 50;
/** Nested mappings/lists allowed, the top-level mapping being level 1. */
export const MAX_NESTING_DEPTH = 64;

export interface ParsedConfig extends ConfigDocument {
  /** The top-level mapping as plain data (aliases expanded, no interpolation yet). */
  value: Record<string, unknown>;
  /** YAML warnings (e.g. an unknown tag); they do not stop the load. */
  warnings: Problem[];
}

const YAML_MESSAGES: Partial<Record<ErrorCode, string>> = {
  TAB_AS_INDENT: 'tab character in the indentation; YAML indentation must use spaces',
  MULTILINE_IMPLICIT_KEY: 'a key runs over several lines (is the ":" after a key missing?)',
  MULTIPLE_DOCS: 'more than one YAML document (a "---" line); a config file holds exactly one',
  RESOURCE_EXHAUSTION: `nested too deeply to parse (the limit is ${MAX_NESTING_DEPTH} levels)`,
};

const YAML_PREFIX: Record<Problem['severity'], string> = { error: 'invalid YAML: ', warning: 'YAML: ' };

/**
 * The yaml parser reads process.env.LOG_TOKENS once per token, and each read of process.env
 * walks the whole environment: with thousands of variables (one per TSIG secret) that tripled
 * the parse time of a large config. Parsing is synchronous, so hiding the environment is safe.
 */
function withoutEnvironment<T>(parse: () => T): T {
  const env = process.env;
  process.env = {};
  try {
    return parse();
  } finally {
    process.env = env;
  }
}

export function parseConfig(file: string, text: string): ParsedConfig {
  const lineCounter = new LineCounter();
  const doc = withoutEnvironment(() => parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, logLevel: 'error' }));
  const source: ConfigDocument = { file, doc, lineCounter };
  // Computed once: a stack overflow in the parser may raise one error per level it unwinds.
  let tooDeepOffset: number | null | undefined;
  const deepOffset = () => (tooDeepOffset === undefined ? (tooDeepOffset = offsetDeeperThan(text, MAX_NESTING_DEPTH)) : tooDeepOffset);
  const warnings = doc.warnings.map((w) => yamlProblem(source, w, 'warning', deepOffset));
  if (doc.errors.length > 0) {
    const errors = doc.errors.map((e) => yamlProblem(source, e, 'error', deepOffset));
    throw new ConfigError(sortProblems([...firstPerLine(errors), ...warnings]));
  }
  if (doc.contents === null) {
    throw new ConfigError([fileProblem(file, 'the file has only comments; it needs at least "version: 1"')]);
  }
  const value = plainValue(source);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const message = `the top level must be a mapping (key: value lines such as "version: 1"), got ${describeValue(value)}`;
    throw new ConfigError([problemAt(source, [], message)]);
  }
  const tooDeep = pathDeeperThan(value, MAX_NESTING_DEPTH);
  if (tooDeep) {
    const message = `nested deeper than ${MAX_NESTING_DEPTH} levels`;
    throw new ConfigError([problemAt(source, tooDeep, message, { problemPath: tooDeep.slice(0, 1) })]);
  }
  return { ...source, value: value as Record<string, unknown>, warnings };
}

function plainValue(source: ConfigDocument): unknown {
  try {
    return source.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (!(err instanceof ReferenceError)) throw err;
    const undefinedAlias = firstUndefinedAlias(source);
    if (undefinedAlias) {
      const message = `alias *${undefinedAlias.name} is not defined; write the anchor &${undefinedAlias.name} on a value before it`;
      throw new ConfigError([problemAtOffset(source, undefinedAlias.offset, message)]);
    }
    const message =
      `aliases (*name) expand too often (limit ${MAX_ALIAS_COUNT}, which defuses "billion laughs" alias bombs); ` +
      'write the values out instead';
    throw new ConfigError([problemAtOffset(source, firstAliasOffset(source), message)]);
  }
}

/** The first `*name` with no `&name` before it (toJS throws the same ReferenceError as for a bomb). */
function firstUndefinedAlias(source: ConfigDocument): { name: string; offset: number } | null {
  let found: { name: string; offset: number } | null = null;
  visit(source.doc, {
    Alias(_, alias) {
      if (alias.resolve(source.doc) !== undefined) return undefined;
      found = { name: alias.source, offset: alias.range?.[0] ?? 0 };
      return visit.BREAK;
    },
  });
  return found;
}

function firstAliasOffset(source: ConfigDocument): number {
  let offset = 0;
  visit(source.doc, {
    Alias(_, alias) {
      offset = alias.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}

/** The path of the first collection nested deeper than `limit` (an alias cycle is infinitely deep). */
function pathDeeperThan(value: unknown, limit: number, path: FieldPath = []): FieldPath | null {
  if (typeof value !== 'object' || value === null) return null;
  if (path.length >= limit) return path;
  const entries: [string | number, unknown][] = Array.isArray(value) ? [...value.entries()] : Object.entries(value);
  for (const [key, child] of entries) {
    const found = pathDeeperThan(child, limit, [...path, key]);
    if (found) return found;
  }
  return null;
}

function yamlProblem(source: ConfigDocument, error: YAMLError, severity: Problem['severity'], deepOffset: () => number | null): Problem {
  if (error.code === 'RESOURCE_EXHAUSTION') {
    // The parser gave up where its stack ran out, hundreds of levels down: point at the first
    // collection past the limit instead, where the file stops being acceptable.
    return problemAtOffset(source, deepOffset() ?? error.pos[0], YAML_MESSAGES.RESOURCE_EXHAUSTION!, severity);
  }
  const message =
    error.code === 'DUPLICATE_KEY'
      ? describeDuplicateKey(source, error.pos[0])
      : (YAML_MESSAGES[error.code] ?? `${YAML_PREFIX[severity]}${error.message.replace(/\s+/g, ' ')}`);
  return problemAtOffset(source, error.pos[0], message, severity);
}

/** `duplicate key "port" (first on line 7)`. */
function describeDuplicateKey(source: ConfigDocument, offset: number): string {
  let message = 'duplicate key';
  visit(source.doc, {
    Map(_, map) {
      const keys = map.items.map((pair) => pair.key).filter(isScalar);
      const duplicate = keys.find((key) => key.range?.[0] === offset);
      if (!duplicate) return undefined;
      const first = keys.find((key) => key.value === duplicate.value) ?? duplicate;
      const firstLine = source.lineCounter.linePos(first.range?.[0] ?? 0).line;
      message = `duplicate key ${quote(String(duplicate.value))} (first on line ${firstLine})`;
      return visit.BREAK;
    },
  });
  return message;
}

/**
 * Offset of the first (in the file) collection nested deeper than `limit`, from the parser's
 * token tree, walked without recursion: the file may nest far deeper than the stack allows.
 */
function offsetDeeperThan(text: string, limit: number): number | null {
  const pending: Array<{ token: CST.Token; depth: number }> = [];
  for (const token of withoutEnvironment(() => [...new Parser().parse(text)])) {
    if (token.type === 'document' && token.value) pending.push({ token: token.value, depth: 1 });
  }
  let first: number | null = null;
  while (pending.length > 0) {
    const { token, depth } = pending.pop()!;
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection') continue;
    if (depth > limit) {
      first = first === null ? token.offset : Math.min(first, token.offset);
      continue;
    }
    for (const item of token.items) {
      const children = [('key' in item ? item.key : null), item.value];
      for (const child of children) if (child) pending.push({ token: child, depth: depth + 1 });
    }
  }
  return first;
}

/** One YAML error cascades into several on the same line; keep the first of each line. */
function firstPerLine(problems: Problem[]): Problem[] {
  const byLine = new Map<number, Problem>();
  for (const problem of problems) if (!byLine.has(problem.line)) byLine.set(problem.line, problem);
  return [...byLine.values()];
}
