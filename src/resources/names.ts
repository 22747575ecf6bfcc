/** DNS names as dnsctl compares them. */

/** A TSIG key name (RFC 8945): lower case with exactly one trailing dot. `Key.Example` → `key.example.`. */
export function canonicalKeyName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.replace(/\.+$/, '.') : `${lower}.`;
}

/** A zone name: lower case, no trailing dot. `Example.COM.` → `example.com`. */
export function canonicalZoneName(name: string): string {
  return name.toLowerCase().replace(/\.+$/, '');
}

/** Names of objects that are not DNS names compare exactly. */
export function exactName(name: string): string {
  return name;
}

/**
 * What JSON Schema can say of a name for editors: no control, zero-width or bidi characters, no
 * whitespace at either end (src/config/names.ts checks the same and says more).
 */
export const PLAIN_NAME_PATTERN = '^(?![\\s])[^\\u0000-\\u001f\\u007f-\\u009f\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2069\\ufeff\\u061c]*(?<![\\s])$';
export const PLAIN_NAME_MESSAGE = 'must be plain visible text: no control, zero-width or bidi characters, no whitespace at either end';

/** The schema of a plain (non-DNS) name: what the config's name checks say, for editors. */
export function plainNameSchema(description: string, example: string): Record<string, unknown> {
  return {
    type: 'string',
    minLength: 1,
    maxLength: 255,
    pattern: PLAIN_NAME_PATTERN,
    patternMessage: PLAIN_NAME_MESSAGE,
    description,
    examples: [example],
  };
}
