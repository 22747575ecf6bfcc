/**
 * Names are data: control, zero-width and bidi characters, edge whitespace and over-long names
 * are refused at validate time with file:line:col; a name mixing scripts gets a warning.
 */
import { describe, expect, it } from 'vitest';
import { MAX_NAME_BYTES, nameProblems } from '../../../src/config/names.js';
import { parseConfig } from '../../../src/config/parse.js';
import { validateConfig } from '../../../src/config/validate.js';
import { formatProblem } from '../../../src/errors.js';

const ACCOUNT = '01a7362d577a6c3019a474fd6f485823';

describe('nameProblems (one name, any kind)', () => {
  it.each([
    ['ESC', 'peer\u001b[2J', 'a control character (U+001B) at character 5'],
    ['NUL', 'a\u0000b', 'a control character (U+0000) at character 2'],
    ['CR', 'a\rb', 'a control character (U+000D)'],
    ['LF', 'a\n::error::x', 'a control character (U+000A)'],
    ['DEL', 'a\u007f', 'a control character (U+007F)'],
    ['C1 (CSI)', 'a\u009b2J', 'a control character (U+009B)'],
    ['zero-width space', 'pe\u200ber', 'a zero-width character (U+200B) at character 3'],
    ['word joiner', 'peer\u2060', 'a zero-width character (U+2060)'],
    ['BOM', '\ufeffpeer', 'a zero-width character (U+FEFF) at character 1'],
    ['right-to-left override', 'peer\u202egpj.exe', 'a bidirectional-text control character (U+202E)'],
    ['isolate', '\u2066peer\u2069', 'a bidirectional-text control character (U+2066)'],
    ['left-to-right mark', 'peer\u200e', 'a bidirectional-text control character (U+200E)'],
    ['Arabic letter mark', 'peer\u061c', 'a bidirectional-text control character (U+061C)'],
  ])('refuses %s', (_label, name, expected) => {
    const problems = nameProblems(name);
    expect(problems.filter((p) => p.severity === 'error').map((p) => p.message).join(' | ')).toContain(`contains ${expected}`);
  });

  it('refuses leading and trailing whitespace, and names over 255 bytes (UTF-8)', () => {
    expect(nameProblems(' peer')).toEqual([{ severity: 'error', message: 'starts or ends with whitespace; remove it (names are compared exactly)' }]);
    expect(nameProblems('peer\u00a0')[0]?.message).toContain('starts or ends with whitespace');
    expect(nameProblems('a'.repeat(MAX_NAME_BYTES))).toEqual([]);
    expect(nameProblems('a'.repeat(256))).toEqual([{ severity: 'error', message: 'is 256 bytes long; names are at most 255 bytes (UTF-8)' }]);
    // 128 two-byte letters: 128 characters, 256 bytes.
    expect(nameProblems('é'.repeat(128))[0]?.message).toBe('is 256 bytes long; names are at most 255 bytes (UTF-8)');
  });

  it('warns about a name mixing scripts (a Cyrillic "а" in a Latin name), and only then', () => {
    expect(nameProblems('p\u0430ypal-peer')).toEqual([
      { severity: 'warning', message: 'mixes Latin and Cyrillic letters ("а" U+0430 is Cyrillic); it may be mistaken for another name' },
    ]);
    expect(nameProblems('сервер-1')).toEqual([]); // all Cyrillic
    expect(nameProblems('tsig.example.cf.')).toEqual([]);
    expect(nameProblems('peer_01 (backup) münchen')).toEqual([]);
    expect(nameProblems('αlpha')[0]?.message).toContain('mixes Latin and Greek letters ("α" U+03B1 is Greek)');
  });
});

describe('at validate time', () => {
  function validate(yaml: string) {
    const result = validateConfig(parseConfig('dns.yaml', yaml), { S: 'c2VjcmV0LXZhbHVl' });
    return result.problems.map(formatProblem);
  }

  it('refuses bad names of every kind at the name, with file:line:col, and warns about confusables', () => {
    const yaml = [
      'version: 1',
      `account_id: ${ACCOUNT}`,
      'tsigs:',
      '  - name: "key\\u200b.example."',
      '    algo: hmac-sha256.',
      '    secret: ${S}',
      'peers:',
      '  - name: "::set-output name=x::evil\\e[2J"',
      '    ip: 192.0.2.1',
      '  - name: "ok "',
      '    ip: 192.0.2.2',
      '  - name: "p\\u0430ypal"',
      '    ip: 192.0.2.3',
      '',
    ].join('\n');
    const result = validateConfig(parseConfig('dns.yaml', yaml), { S: 'c2VjcmV0LXZhbHVl' });
    expect(result.valid).toBe(false);
    expect(validate(yaml)).toEqual([
      'dns.yaml:4:11: error: tsigs[0].name: TSIG name contains a zero-width character (U+200B) at character 4; names must be plain visible text',
      'dns.yaml:8:11: error: peers[0].name: peer name contains a control character (U+001B) at character 26; names must be plain visible text',
      'dns.yaml:10:11: error: peers[1].name: peer name starts or ends with whitespace; remove it (names are compared exactly)',
      'dns.yaml:12:11: warning: peers[2].name: peer name mixes Latin and Cyrillic letters ("а" U+0430 is Cyrillic); it may be mistaken for another name',
    ]);
  });

  it('a confusable name alone is a warning: the config stays valid', () => {
    const result = validateConfig(parseConfig('dns.yaml', `version: 1\naccount_id: ${ACCOUNT}\npeers:\n  - name: "p\\u0430ypal"\n    ip: 192.0.2.3\n`), {});
    expect(result.valid).toBe(true);
    expect(result.problems.map((p) => p.severity)).toEqual(['warning']);
  });
});
