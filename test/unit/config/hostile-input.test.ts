/**
 * Issue 9 item 10, the config side: an undefined alias is named (not called an alias bomb), a
 * parser-crashing depth is reported where the nesting passes the limit, and CLOUDFLARE_ACCOUNT_ID
 * is trimmed like the token.
 */
import { describe, expect, it } from 'vitest';
import { MAX_NESTING_DEPTH, parseConfig } from '../../../src/config/parse.js';
import { validateConfig } from '../../../src/config/validate.js';
import { ConfigError, formatProblem } from '../../../src/errors.js';

const ACCOUNT = '01a7362d577a6c3019a474fd6f485823';

function problems(text: string): string[] {
  try {
    parseConfig('c.yaml', text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.map(formatProblem);
  }
  throw new Error('expected a ConfigError');
}

describe('YAML aliases and nesting', () => {
  it('an undefined alias is named at its position, not reported as an alias bomb', () => {
    expect(problems('version: 1\npeers:\n  - name: *nope\n    ip: 192.0.2.1\n')).toEqual([
      'c.yaml:3:11: error: alias *nope is not defined; write the anchor &nope on a value before it',
    ]);
    // Used before the anchor that names it: not defined at that point either.
    expect(problems('version: 1\na: *later\nb: &later 5\n')).toEqual([
      'c.yaml:2:4: error: alias *later is not defined; write the anchor &later on a value before it',
    ]);
    // A real bomb still says so.
    const bomb = ['version: 1', 'a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]', ''];
    expect(problems(bomb.join('\n'))[0]).toContain('expand too often');
  });

  it('nesting too deep for the parser points at the first level past the limit, not where the parser gave up', () => {
    // `key: ` then 5,000 "[" (the parser's stack gives out long before that): the top-level
    // mapping is level 1, the n-th "[" level n + 1 at column 5 + n.
    const text = `version: 1\nkey: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`;
    expect(problems(text)).toEqual([`c.yaml:2:${5 + MAX_NESTING_DEPTH}: error: nested too deeply to parse (the limit is ${MAX_NESTING_DEPTH} levels)`]);
    // The same place as a depth the parser survives.
    const survivable = `version: 1\nkey: ${'['.repeat(200)}${']'.repeat(200)}\n`;
    expect(problems(survivable)).toEqual([`c.yaml:2:${5 + MAX_NESTING_DEPTH}: error: key: nested deeper than ${MAX_NESTING_DEPTH} levels`]);
  });

  it('deep block nesting inside a resource points at the offending level', () => {
    let text = 'version: 1\npeers:\n  - name: x\n    ip:\n';
    let indent = '      ';
    for (let level = 0; level < 80; level++) {
      text += `${indent}a:\n`;
      indent += '  ';
    }
    text += `${indent}b: 1\n`;
    // Levels: top mapping 1, peers list 2, the peer 3, ip's mapping 4 (line 5): level 65 is on line 66.
    expect(problems(text)).toEqual([`c.yaml:66:${7 + 2 * 61}: error: peers: nested deeper than ${MAX_NESTING_DEPTH} levels`]);
  });
});

describe('CLOUDFLARE_ACCOUNT_ID', () => {
  it.each([`${ACCOUNT}\n`, `${ACCOUNT}\r\n`, `  ${ACCOUNT} `])('is trimmed like the token (%j)', (value) => {
    const result = validateConfig(parseConfig('c.yaml', 'version: 1\n'), { CLOUDFLARE_ACCOUNT_ID: value });
    expect(result.problems).toEqual([]);
    expect(result.valid && result.desired.accountId).toBe(ACCOUNT);
  });

  it('whitespace alone is still "no account ID"', () => {
    const result = validateConfig(parseConfig('c.yaml', 'version: 1\n'), { CLOUDFLARE_ACCOUNT_ID: ' \n' });
    expect(result.valid).toBe(false);
    expect(result.problems.map((p) => p.message)).toEqual([expect.stringContaining('no account ID')]);
  });
});
