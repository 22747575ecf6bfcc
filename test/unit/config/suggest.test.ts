import { describe, expect, it } from 'vitest';
import { closestMatch, didYouMean, levenshtein } from '../../../src/config/suggest.js';

describe('levenshtein', () => {
  it.each([
    ['', '', 0],
    ['port', 'port', 0],
    ['prot', 'port', 2],
    ['hmac-sha512', 'hmac-sha512.', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
  ])('%s → %s is %i', (a, b, distance) => {
    expect(levenshtein(a, b)).toBe(distance);
    expect(levenshtein(b, a)).toBe(distance);
  });
});

describe('closestMatch', () => {
  const keys = ['name', 'ip', 'port', 'ixfr_enable', 'tsig'];

  it('finds likely typos, ignoring case', () => {
    expect(closestMatch('prot', keys)).toBe('port');
    expect(closestMatch('Port', keys)).toBe('port');
    expect(closestMatch('nmae', keys)).toBe('name');
    expect(closestMatch('ixfr_enabled', keys)).toBe('ixfr_enable');
  });

  it('suggests nothing for unrelated words or short inputs far from every candidate', () => {
    expect(closestMatch('comment', keys)).toBeNull();
    expect(closestMatch('x', keys)).toBeNull();
    expect(closestMatch('anything', [])).toBeNull();
  });

  it('prefers the closest of several candidates', () => {
    expect(closestMatch('hmac-sha256', ['hmac-sha224.', 'hmac-sha256.'])).toBe('hmac-sha256.');
  });
});

describe('didYouMean', () => {
  it('words a suggestion or nothing', () => {
    expect(didYouMean('prot', ['port'])).toBe(' (did you mean "port"?)');
    expect(didYouMean('zzzz', ['port'])).toBe('');
  });
});
