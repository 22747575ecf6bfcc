/** Environment variable names for imported TSIG secrets: `TSIG_<NAME>_SECRET`, valid and unique. */

/** `tsig.customer.cf.` → `TSIG_TSIG_CUSTOMER_CF_SECRET`: upper case, every run of other characters one `_`. */
export function secretVariableBase(tsigName: string): string {
  const core = tsigName
    .replace(/\.+$/, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return core === '' ? 'TSIG_SECRET' : `TSIG_${core}_SECRET`;
}

/** One variable per name, in the order given; a clash gains `_2`, `_3`, … before `_SECRET`. */
export function secretVariables(tsigNames: string[], taken: Iterable<string> = []): string[] {
  const used = new Set(taken);
  return tsigNames.map((name) => {
    const base = secretVariableBase(name);
    let candidate = base;
    for (let n = 2; used.has(candidate); n++) candidate = base.replace(/_SECRET$/, `_${n}_SECRET`);
    used.add(candidate);
    return candidate;
  });
}
