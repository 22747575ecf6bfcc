/**
 * Names are data: a name that is also a terminal or workflow command, or that looks like another
 * name, is refused (or warned about) at validate time. One check over a name string, for every
 * kind (`nameProblems`), and its entry for the semantic checks (`unsafeNames`).
 *
 * Limits: Cloudflare documents none for these names. A TSIG name is a domain name, at most 255
 * octets (RFC 1035); dnsctl applies that limit, counted in UTF-8 bytes, to every kind of name.
 */
import type { Problem } from '../errors.js';
import { ACCOUNT_KINDS } from '../resources/index.js';
import { itemsOf, zoneItems } from './items.js';
import { problemAt } from './positions.js';
import type { SemanticContext } from './semantic.js';

export const MAX_NAME_BYTES = 255;

export interface NameProblem {
  severity: Problem['severity'];
  message: string;
}

const CHARACTER_CLASSES: Array<{ pattern: RegExp; what: string }> = [
  { pattern: /[\u0000-\u001f\u007f-\u009f]/u, what: 'a control character' },
  { pattern: /[\u200b-\u200d\u2060\ufeff]/u, what: 'a zero-width character' },
  { pattern: /[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]/u, what: 'a bidirectional-text control character' },
];

/** Scripts whose letters are mistaken for each other's; a name mixing two of them gets a warning. */
const SCRIPTS: Array<{ name: string; pattern: RegExp }> = [
  { name: 'Latin', pattern: /\p{Script=Latin}/u },
  { name: 'Cyrillic', pattern: /\p{Script=Cyrillic}/u },
  { name: 'Greek', pattern: /\p{Script=Greek}/u },
  { name: 'Armenian', pattern: /\p{Script=Armenian}/u },
  { name: 'Cherokee', pattern: /\p{Script=Cherokee}/u },
  { name: 'Georgian', pattern: /\p{Script=Georgian}/u },
  { name: 'Hebrew', pattern: /\p{Script=Hebrew}/u },
  { name: 'Arabic', pattern: /\p{Script=Arabic}/u },
];

/** What is wrong with `name`, for a message after "name": errors first, then warnings. */
export function nameProblems(name: string): NameProblem[] {
  const problems: NameProblem[] = [];
  for (const { pattern, what } of CHARACTER_CLASSES) {
    const match = pattern.exec(name);
    if (match) {
      problems.push({
        severity: 'error',
        message: `contains ${what} (${codePoint(match[0])}) at character ${[...name.slice(0, match.index)].length + 1}; names must be plain visible text`,
      });
    }
  }
  if (/^\s|\s$/u.test(name)) {
    problems.push({ severity: 'error', message: 'starts or ends with whitespace; remove it (names are compared exactly)' });
  }
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_NAME_BYTES) {
    problems.push({ severity: 'error', message: `is ${bytes} bytes long; names are at most ${MAX_NAME_BYTES} bytes (UTF-8)` });
  }
  const mixed = scriptsOf(name);
  if (mixed.length > 1) {
    const odd = oddCharacter(name, mixed);
    problems.push({
      severity: 'warning',
      message: `mixes ${mixed.map((s) => s.name).join(' and ')} letters${odd}; it may be mistaken for another name`,
    });
  }
  return problems;
}

/** The semantic check: every name of every kind, at the name's position. */
export function unsafeNames({ source, config }: SemanticContext): Problem[] {
  const named = [
    ...ACCOUNT_KINDS.flatMap((kind) => itemsOf(config, kind).map((entry) => ({ ...entry, label: kind.label }))),
    ...zoneItems(config).map((entry) => ({ ...entry, label: 'zone' })),
  ];
  return named.flatMap(({ item, namePath, label }) => {
    if (typeof item.name !== 'string') return [];
    return nameProblems(item.name).map((p) => problemAt(source, namePath, `${label} name ${p.message}`, { severity: p.severity }));
  });
}

function scriptsOf(name: string): typeof SCRIPTS {
  return SCRIPTS.filter((script) => script.pattern.test(name));
}

/** ` ("а" U+0430 is Cyrillic)`: the first letter of the script the name has fewest of. */
function oddCharacter(name: string, scripts: typeof SCRIPTS): string {
  const letters = [...name];
  const count = (script: (typeof SCRIPTS)[number]) => letters.filter((c) => script.pattern.test(c)).length;
  const rarest = [...scripts].sort((a, b) => count(a) - count(b))[0]!;
  const char = letters.find((c) => rarest.pattern.test(c))!;
  return ` (${JSON.stringify(char)} ${codePoint(char)} is ${rarest.name})`;
}

function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
