import { describe, expect, it } from 'vitest';
import { MAX_NESTING_DEPTH, parseConfig } from '../../../src/config/parse.js';
import { ConfigError } from '../../../src/errors.js';

function parseProblems(text: string) {
  try {
    parseConfig('c.yaml', text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

/** `key: [[…]]`: the top-level mapping plus `lists` nested lists. */
function nested(lists: number): string {
  return `key: ${'['.repeat(lists)}${']'.repeat(lists)}\n`;
}

describe('parseConfig', () => {
  it(`accepts ${MAX_NESTING_DEPTH} levels of nesting and refuses one more`, () => {
    expect(parseConfig('c.yaml', nested(MAX_NESTING_DEPTH - 1)).value).toHaveProperty('key');
    expect(parseProblems(nested(MAX_NESTING_DEPTH)).map((p) => [p.line, p.path, p.message])).toEqual([
      [1, 'key', `nested deeper than ${MAX_NESTING_DEPTH} levels`],
    ]);
  });

  it('refuses an alias that contains itself', () => {
    expect(parseProblems('version: 1\nloop: &a [*a]\n').map((p) => p.message)).toEqual([
      `nested deeper than ${MAX_NESTING_DEPTH} levels`,
    ]);
  });

  it('reports one YAML error per line, however many the parser raises there', () => {
    const problems = parseProblems('version: 1\npeers:\n  - name: a: b\n    ip: x\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 3, severity: 'error' });
  });

  it('refuses a parser-crashing depth with one problem, not one per bracket', () => {
    const problems = parseProblems(nested(20_000));
    expect(problems.map((p) => p.message)).toEqual([`nested too deeply to parse (the limit is ${MAX_NESTING_DEPTH} levels)`]);
  });

  it('keeps the document for positions and the plain value', () => {
    const parsed = parseConfig('c.yaml', 'version: 1\npeers: []\n');
    expect(parsed.value).toEqual({ version: 1, peers: [] });
    expect(parsed.warnings).toEqual([]);
  });
});
