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
