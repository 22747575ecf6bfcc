import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/parse.js';
import { formatPath, keyPositionOf, pointerToPath, positionOf } from '../../../src/config/positions.js';

describe('formatPath', () => {
  it('writes paths as people read them', () => {
    expect(formatPath([])).toBe('');
    expect(formatPath(['version'])).toBe('version');
    expect(formatPath(['peers', 1, 'port'])).toBe('peers[1].port');
    expect(formatPath(['peers', 0, 'a b'])).toBe('peers[0]["a b"]');
    expect(formatPath(['a.b'])).toBe('["a.b"]');
  });
});

describe('pointerToPath', () => {
  it('turns list indexes into numbers and unescapes ~1 and ~0', () => {
    const value = { peers: [{ port: 1 }, { port: 2 }], 'a/b': { '~c': 1 } };
    expect(pointerToPath('', value)).toEqual([]);
    expect(pointerToPath('/peers/1/port', value)).toEqual(['peers', 1, 'port']);
    expect(pointerToPath('/a~1b/~0c', value)).toEqual(['a/b', '~c']);
  });
});

describe('positions in the file', () => {
  const parsed = parseConfig(
    'c.yaml',
    ['version: 1', 'base: &base', '  port: 5353', 'peers:', '  - name: a', '    ip: 192.0.2.1', '  - *base', ''].join('\n'),
  );

  it('finds values, keys and the mapping of a path', () => {
    expect(positionOf(parsed, ['version'])).toEqual({ line: 1, col: 10 });
    expect(positionOf(parsed, ['peers', 0])).toEqual({ line: 5, col: 5 });
    expect(positionOf(parsed, ['peers', 0, 'ip'])).toEqual({ line: 6, col: 9 });
    expect(keyPositionOf(parsed, ['peers', 0, 'ip'])).toEqual({ line: 6, col: 5 });
  });

  it('points at the alias for a value reached through one, and at the nearest ancestor for a missing path', () => {
    expect(positionOf(parsed, ['peers', 1])).toEqual({ line: 7, col: 5 });
    expect(positionOf(parsed, ['peers', 1, 'port'])).toEqual({ line: 3, col: 9 });
    expect(positionOf(parsed, ['peers', 0, 'missing'])).toEqual({ line: 5, col: 5 });
  });
});
