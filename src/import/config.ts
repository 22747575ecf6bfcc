/**
 * What the account holds → the text of a commented dnsctl config that declares all of it
 * (`manage: all`), and the objects the state file must record as managed. Pure: the account as
 * observed in, text out; the secrets stay Secrets (the config holds `${VAR}` references).
 *
 * Choices, each explained in a comment of the written file where it applies:
 * - Several objects under one name (names compare as their kind compares them): the one most
 *   referenced (by peers, by links) is declared, ties going to the first the API lists; the
 *   others are named in a comment. dnsctl deletes such duplicates of a declared name.
 * - A reference to an id the account does not hold (a peer's TSIG, a link's peer) is left out,
 *   with a comment; a link with no known peer at all is not declared (its zone neither, when
 *   nothing else is declared there), so that it is left alone.
 * - Every string is written as a double-quoted YAML scalar, `${` doubled to `$${` (a literal in
 *   dnsctl configs), so that any name survives exactly.
 */
import { kindOf } from '../resources/index.js';
import { TSIG_ALGORITHMS } from '../resources/tsig.js';
import type { ActualResource, ActualState, KindName, ZoneRef } from '../resources/types.js';
import { Secret } from '../secret.js';
import { secretVariables } from './variables.js';

export interface ImportedSecret {
  variable: string;
  tsig: string;
  /** null: the API did not return the secret; the user must supply it. */
  secret: Secret | null;
}

export interface ManagedObject {
  kind: KindName;
  name: string;
  id: string;
}

export interface ImportedConfig {
  yaml: string;
  secrets: ImportedSecret[];
  /** Every object the config declares, with its id: what the state file records. */
  managed: ManagedObject[];
  /** What the user should know (duplicates, dangling references, missing secrets), one line each. */
  notes: string[];
}

export interface ImportSource {
  accountId: string;
  actual: ActualState;
  /** Every zone of the account, ids resolved. */
  zones: ZoneRef[];
  generatedAt: Date;
  /** Variable names already in use (none by default). */
  takenVariables?: string[];
}

/** A double-quoted YAML scalar (JSON's escapes are YAML's), `${` written as the literal `$${`. */
export function yamlString(text: string): string {
  return JSON.stringify(text.replace(/\$\{/g, '$$$${'));
}

/** Text for a comment: one line, quoted when it comes from the account. */
function quoted(text: string): string {
  return JSON.stringify(text);
}

interface Group {
  kept: ActualResource;
  duplicates: ActualResource[];
}

/** Objects of one kind by canonical name; the kept one is the most referenced, then the first listed. */
function groupByName(objects: ActualResource[], kind: KindName, references: Map<string, number>): Group[] {
  const canonical = kindOf(kind).canonicalName;
  const byName = new Map<string, ActualResource[]>();
  for (const obj of objects.filter((o) => o.kind === kind)) {
    const key = canonical(obj.name);
    byName.set(key, [...(byName.get(key) ?? []), obj]);
  }
  const groups = [...byName.values()].map((list) => {
    const ranked = [...list].sort((a, b) => (references.get(b.id) ?? 0) - (references.get(a.id) ?? 0));
    const kept = ranked[0]!;
    return { kept, duplicates: list.filter((o) => o !== kept) };
  });
  return groups.sort((a, b) => compare(canonical(a.kept.name), canonical(b.kept.name)));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function countReferences(objects: ActualResource[], field: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const obj of objects) {
    const ref = obj.refIds[field];
    const ids = Array.isArray(ref) ? ref : typeof ref === 'string' ? [ref] : [];
    for (const id of new Set(ids)) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** id → the name it is declared under (duplicates map to their kept object's name). */
function nameById(groups: Group[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const { kept, duplicates } of groups) for (const obj of [kept, ...duplicates]) names.set(obj.id, kept.name);
  return names;
}

function duplicateComment(group: Group, label: string, indent: string): string[] {
  if (group.duplicates.length === 0) return [];
  const ids = group.duplicates.map((d) => d.id).join(', ');
  return [
    `${indent}# The account holds ${group.duplicates.length + 1} ${label}s named ${quoted(group.kept.name)}: this one is id ${group.kept.id};`,
    `${indent}# the other id(s) ${ids} are duplicates, which dnsctl deletes (after moving references to this one).`,
  ];
}

/** A note for a name the account holds more than once: the extras are deleted by the first apply. */
function duplicatesNote(label: string, group: { kept: { name: string }; duplicates: Array<{ id: string }> }): string[] {
  if (group.duplicates.length === 0) return [];
  return [`${label} ${quoted(group.kept.name)} has duplicates (ids ${group.duplicates.map((d) => d.id).join(', ')}); dnsctl will delete them`];
}

/** The config spells a known algorithm as Cloudflare documents it (`HMAC-SHA256` → `hmac-sha256.`). */
function configAlgorithm(algo: string): string {
  const canonical = algo.toLowerCase().replace(/\.?$/, '.');
  return (TSIG_ALGORITHMS as readonly string[]).includes(canonical) ? canonical : algo;
}

export function buildImportedConfig(source: ImportSource): ImportedConfig {
  const resources = source.actual.resources;
  const peersOnly = resources.filter((r) => r.kind === 'peer');
  const links = resources.filter((r) => r.kind === 'incoming' || r.kind === 'outgoing');
  const tsigGroups = groupByName(resources, 'tsig', countReferences(peersOnly, 'tsig'));
  const peerGroups = groupByName(resources, 'peer', countReferences(links, 'peers'));
  const aclGroups = groupByName(resources, 'acl', new Map());
  const tsigNames = nameById(tsigGroups);
  const peerNames = nameById(peerGroups);

  const lines: string[] = [];
  const notes: string[] = [];
  const managed: ManagedObject[] = [];
  const variables = secretVariables(
    tsigGroups.map((g) => g.kept.name),
    source.takenVariables,
  );
  const secrets: ImportedSecret[] = tsigGroups.map((g, i) => {
    const value = g.kept.values.secret;
    return { variable: variables[i]!, tsig: g.kept.name, secret: value instanceof Secret ? value : null };
  });

  lines.push(
    `# dnsctl config imported from Cloudflare account ${source.accountId} on ${source.generatedAt.toISOString()} by "dnsctl import".`,
    '# It declares everything the account held then; the state file beside it records each object as managed.',
    '# TSIG secrets are not in this file: each is read from the environment variable named in its `secret:`.',
    'version: 1',
    `account_id: ${yamlString(source.accountId)}`,
    '# manage: all — this file is the whole truth: an object of the account it does not declare is deleted',
    '# (TSIGs, peers, ACLs, and the links of the zones it declares). Switch to "declared" to delete only',
    '# what the state file records as created or adopted by dnsctl.',
    'manage: all',
  );

  lines.push('', tsigGroups.length > 0 ? 'tsigs:' : 'tsigs: []');
  tsigGroups.forEach((group, i) => {
    const { kept } = group;
    lines.push(...duplicateComment(group, 'TSIG', '  '));
    lines.push(`  - name: ${yamlString(kept.name)} # id ${kept.id}`);
    lines.push(`    algo: ${yamlString(configAlgorithm(String(kept.values.algo ?? '')))}`);
    if (secrets[i]!.secret === null) {
      lines.push('    # The API did not return this secret: set the variable to the secret the other server uses.');
      notes.push(`the API did not return the secret of TSIG ${quoted(kept.name)}: set ${secrets[i]!.variable} to it (the first plan updates it)`);
    }
    lines.push(`    secret: \${${secrets[i]!.variable}}`);
    managed.push({ kind: 'tsig', name: kept.name, id: kept.id });
    notes.push(...duplicatesNote('TSIG', group));
  });

  lines.push('', peerGroups.length > 0 ? 'peers:' : 'peers: []');
  for (const group of peerGroups) {
    const { kept } = group;
    lines.push(...duplicateComment(group, 'peer', '  '));
    lines.push(`  - name: ${yamlString(kept.name)} # id ${kept.id}`);
    const { ip, port, ixfr_enable: ixfr } = kept.values;
    if (typeof ip === 'string') lines.push(`    ip: ${yamlString(ip)}`);
    if (typeof port === 'number') lines.push(`    port: ${port}`);
    if (ixfr === true) lines.push('    ixfr_enable: true');
    const tsigId = kept.refIds.tsig;
    if (typeof tsigId === 'string') {
      const name = tsigNames.get(tsigId);
      if (name !== undefined) lines.push(`    tsig: ${yamlString(name)}`);
      else {
        lines.push(`    # tsig: left out: the peer points at TSIG id ${tsigId}, which the account does not hold.`);
        notes.push(`peer ${quoted(kept.name)} points at TSIG id ${tsigId}, which the account does not hold; the config leaves its tsig out`);
      }
    }
    managed.push({ kind: 'peer', name: kept.name, id: kept.id });
    notes.push(...duplicatesNote('peer', group));
  }

  lines.push('', aclGroups.length > 0 ? 'acls:' : 'acls: []');
  for (const group of aclGroups) {
    const { kept } = group;
    lines.push(...duplicateComment(group, 'ACL', '  '));
    lines.push(`  - name: ${yamlString(kept.name)} # id ${kept.id}`, `    ip_range: ${yamlString(String(kept.values.ip_range ?? ''))}`);
    managed.push({ kind: 'acl', name: kept.name, id: kept.id });
    notes.push(...duplicatesNote('ACL', group));
  }

  const zoneLines = importedZones(source.zones, links, peerNames, managed, notes);
  const declaresZones = zoneLines.some((line) => !line.trimStart().startsWith('#'));
  lines.push('', declaresZones ? 'zones:' : 'zones: []', ...zoneLines);
  return { yaml: `${lines.join('\n')}\n`, secrets, managed, notes };
}

function importedZones(zones: ZoneRef[], links: ActualResource[], peerNames: Map<string, string>, managed: ManagedObject[], notes: string[]): string[] {
  const lines: string[] = [];
  const sorted = [...zones].filter((z): z is ZoneRef & { id: string } => z.id !== null).sort((a, b) => compare(a.name, b.name));
  for (const zone of sorted) {
    const body: string[] = [];
    for (const kind of ['incoming', 'outgoing'] as const) {
      const link = links.find((l) => l.kind === kind && l.id === zone.id);
      if (!link) continue;
      const ids = Array.isArray(link.refIds.peers) ? (link.refIds.peers as string[]) : [];
      const unknown = ids.filter((id) => !peerNames.has(id));
      const names = [...new Set(ids.filter((id) => peerNames.has(id)).map((id) => peerNames.get(id)!))].sort(compare);
      if (names.length === 0) {
        body.push(`    # ${kind}: not declared: its peers (ids ${unknown.join(', ') || 'none'}) are not peers of the account; fix it in Cloudflare.`);
        notes.push(`the ${kind} link of zone ${quoted(zone.name)} lists no peer of the account; it is not declared`);
        continue;
      }
      if (unknown.length > 0) {
        body.push(`    # ${kind}: peer id(s) ${unknown.join(', ')} left out: not peers of the account (the first plan removes them).`);
        notes.push(`the ${kind} link of zone ${quoted(zone.name)} lists peer id(s) ${unknown.join(', ')} that the account does not hold; left out`);
      }
      body.push(`    ${kind}:`, `      peers: [${names.map(yamlString).join(', ')}]`);
      if (kind === 'incoming' && typeof link.values.auto_refresh_seconds === 'number') body.push(`      auto_refresh_seconds: ${link.values.auto_refresh_seconds}`);
      if (kind === 'outgoing') body.push(`      enabled: ${link.values.enabled === true}`);
      managed.push({ kind, name: zone.name, id: zone.id });
    }
    if (!body.some((line) => !line.trimStart().startsWith('#'))) {
      lines.push(...body.map((line) => line.replace(/^ {4}/, '  ')));
      continue;
    }
    lines.push(`  - name: ${yamlString(zone.name)}`, `    zone_id: ${yamlString(zone.id)}`, ...body);
  }
  return lines;
}
