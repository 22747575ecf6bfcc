import { describe, expect, it } from 'vitest';
import { interpolateVariables } from '../../../src/config/env.js';
import { parseConfig } from '../../../src/config/parse.js';

function interpolate(lines: string[], env: NodeJS.ProcessEnv) {
  const parsed = parseConfig('c.yaml', `${lines.join('\n')}\n`);
  return interpolateVariables(parsed, parsed.value, env);
}

describe('${VAR} interpolation', () => {
  it('replaces references anywhere in a string, in any string value, and leaves other scalars alone', () => {
    const result = interpolate(['name: ns-${SITE}-${N}', 'port: 53', 'list:', '  - ${SITE}'], { SITE: 'ams', N: '2' });
    expect(result.value).toEqual({ name: 'ns-ams-2', port: 53, list: ['ams'] });
    expect(result.problems).toEqual([]);
    expect([...result.fromVariables]).toEqual(['name', 'list[0]']);
  });

  it('reads $${ as a literal ${ and not as a reference', () => {
    const result = interpolate(['a: $${HOME}', 'b: cost $$5'], { HOME: '/root' });
    expect(result.value).toEqual({ a: '${HOME}', b: 'cost $$5' });
    expect(result.fromVariables.size).toBe(0);
  });

  it('does not interpolate keys', () => {
    expect(interpolate(['${KEY}: v'], { KEY: 'k' }).value).toEqual({ '${KEY}': 'v' });
  });

  it('reports each unset or empty variable at the value, keeps the text as written, never shows a value', () => {
    const result = interpolate(['version: 1', 'secret: ${SET}${UNSET}${EMPTY}'], { SET: 'resolved-value', EMPTY: '' });
    expect(result.problems).toEqual([
      { file: 'c.yaml', line: 2, col: 9, path: 'secret', severity: 'error', message: 'environment variable UNSET is not set' },
      { file: 'c.yaml', line: 2, col: 9, path: 'secret', severity: 'error', message: 'environment variable EMPTY is empty' },
    ]);
    expect(result.value.secret).toBe('${SET}${UNSET}${EMPTY}');
    expect([...result.unresolved]).toEqual(['secret']);
    expect(JSON.stringify(result.problems)).not.toContain('resolved-value');
  });

  it('rejects a ${ that starts no valid reference', () => {
    const result = interpolate(['a: ${lower-case}', 'b: ${UNCLOSED'], {});
    expect(result.problems.map((p) => p.path)).toEqual(['a', 'b']);
    for (const problem of result.problems) {
      expect(problem.message).toContain('"${" is not followed by a variable name and "}"');
    }
  });
});
