import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { ACCOUNT_ID_VARIABLE } from '../config/account.js';
import { parseConfig } from '../config/parse.js';
import { validateConfig } from '../config/validate.js';
import { ImportError, UsageError, errorMessage, formatProblem } from '../errors.js';
import { buildImportedConfig, type ImportedConfig } from '../import/config.js';
import { writeNewFileAtomic, writeSecretFile } from '../import/write.js';
import { listAccountZones, observeAccount } from '../observe.js';
import { buildPlan } from '../plan/build.js';
import { planDangers } from '../plan/danger.js';
import { summarize, type Plan } from '../plan/types.js';
import { isGitHubActions, maskCommands } from '../report/github.js';
import { buildImportedState, defaultStatePath, inventoryFrom, newSalt, type StateFile } from '../report/state.js';
import type { ActualState, ZoneRef } from '../resources/types.js';
import { VERSION } from '../version.js';
import { connect } from './connect.js';
import type { CommandContext } from './context.js';
import { throwIfInterrupted } from './prepare.js';

/** Any valid base64: stands in for a secret the API did not return, only to check the written config. */
const PLACEHOLDER_SECRET = 'AAAAAAAAAAAAAAAAAAAAAA==';

/**
 * `dnsctl import`: read the account, write a config that declares all of it, the state file that
 * records it as managed and, if asked, the secrets to a new 0600 file. Checks its own output
 * (the config validates and plans against the account as read) before writing anything.
 */
export async function importCommand(ctx: CommandContext): Promise<number> {
  const startedAt = new Date();
  const out = ctx.options.configPath;
  const statePath = ctx.options.statePath ?? defaultStatePath(out);
  const secretsOut = ctx.options.secretsOut;
  const accountId = ctx.options.accountId ?? accountFromEnv(ctx.env);
  for (const path of [out, statePath, ...(secretsOut ? [secretsOut] : [])]) {
    if (existsSync(path)) throw new ImportError(`${path} already exists; dnsctl import never overwrites a file: choose another path or move it aside`);
    assertFolderWritable(path);
  }

  const api = connect(ctx, accountId, []);
  const zones = await listAccountZones(api);
  const actual = await observeAccount(api, { zones });
  throwIfInterrupted(ctx.signal);
  const imported = buildImportedConfig({ accountId, actual, zones, generatedAt: startedAt });
  const secretValues = imported.secrets.flatMap((s) => (s.secret ? [s.secret.reveal()] : []));
  if (isGitHubActions(ctx.env)) for (const line of maskCommands(secretValues)) ctx.stderr.write(`${line}\n`);

  const salt = newSalt();
  const state = importedState(imported, accountId, out, startedAt, salt);
  const firstPlan = checkImported(imported, out, actual, state);

  const written: string[] = [];
  try {
    if (secretsOut) {
      writeSecretFile(secretsOut, imported.secrets.filter((s) => s.secret).map((s) => `${s.variable}=${s.secret!.reveal()}\n`).join(''));
      written.push(secretsOut);
    }
    writeNewFileAtomic(out, imported.yaml);
    written.push(out);
    writeNewFileAtomic(statePath, `${JSON.stringify(state, null, 2)}\n`, 0o600);
  } catch (err) {
    // Leave nothing half-done: the files this run wrote go again.
    for (const path of written) unlinkSync(path);
    throw err;
  }

  ctx.stdout.write(report(imported, out, statePath, secretsOut, firstPlan));
  return 0;
}

/** Before the account is read: each file's folder must exist and be writable. */
function assertFolderWritable(path: string): void {
  try {
    if (!statSync(dirname(path)).isDirectory()) throw new Error('not a directory');
    accessSync(dirname(path), constants.W_OK);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'its folder does not exist' : errorMessage(err);
    throw new ImportError(`cannot write ${path}: ${why}; nothing was done`);
  }
}

function accountFromEnv(env: NodeJS.ProcessEnv): string {
  const fromEnv = env[ACCOUNT_ID_VARIABLE];
  if (!fromEnv) throw new UsageError(`dnsctl import needs the account: --account-id ID or the ${ACCOUNT_ID_VARIABLE} environment variable`);
  if (!/^[0-9a-f]{32}$/.test(fromEnv)) throw new UsageError(`the ${ACCOUNT_ID_VARIABLE} environment variable must be exactly 32 lowercase hexadecimal characters`);
  return fromEnv;
}

function importedState(imported: ImportedConfig, accountId: string, out: string, startedAt: Date, salt: string): StateFile {
  const secretOf = new Map(imported.secrets.map((s) => [s.tsig, s.secret]));
  const entries = imported.managed.map((m) => {
    const secret = m.kind === 'tsig' ? secretOf.get(m.name) : null;
    return { ...m, ...(secret ? { secrets: { secret } } : {}) };
  });
  return buildImportedState(entries, {
    version: VERSION,
    configPath: out,
    configSha256: createHash('sha256').update(imported.yaml).digest('hex'),
    accountId,
    startedAt,
    finishedAt: new Date(),
    interrupted: false,
    salt,
  });
}

/**
 * The written config must load, and plan against the account as read: the changes it would
 * make (duplicates deleted, dangling references dropped) are told to the user. Invalid: nothing
 * is written (the account holds something a config cannot declare).
 */
function checkImported(imported: ImportedConfig, out: string, actual: ActualState, state: StateFile): Plan {
  const env: NodeJS.ProcessEnv = Object.fromEntries(imported.secrets.map((s) => [s.variable, s.secret?.reveal() ?? PLACEHOLDER_SECRET]));
  const validation = validateConfig(parseConfig(out, imported.yaml), env);
  if (!validation.valid) {
    const problems = validation.problems.filter((p) => p.severity === 'error').map((p) => `  ${formatProblem(p)}`);
    throw new ImportError(
      `the account holds objects a dnsctl config cannot declare as they are; rename or fix them in Cloudflare and import again. Nothing was written.\n${problems.join('\n')}`,
    );
  }
  return buildPlan(validation.desired, declaredZonesOnly(actual, validation.desired.zones ?? []), inventoryFrom(state));
}

/** What plan reads: the links of the zones the config declares (or the state records, the same here). */
export function declaredZonesOnly(actual: ActualState, zones: ZoneRef[]): ActualState {
  const ids = new Set(zones.map((z) => z.id));
  return { ...actual, resources: actual.resources.filter((r) => r.zoneId === undefined || ids.has(r.zoneId)) };
}

function report(imported: ImportedConfig, out: string, statePath: string, secretsOut: string | null, firstPlan: Plan): string {
  const count = (kind: string) => imported.managed.filter((m) => m.kind === kind).length;
  const lines = [
    `Imported ${count('tsig')} TSIGs, ${count('peer')} peers, ${count('acl')} ACLs, ${count('incoming')} incoming and ${count('outgoing')} outgoing zone links into ${out} (manage: all).`,
    `State file: ${statePath} (every imported object recorded as managed by dnsctl).`,
  ];
  if (imported.secrets.length > 0) {
    lines.push(
      secretsOut
        ? `Secrets written to ${secretsOut} (mode 0600; keep it out of git). Set these variables from it before plan or apply:`
        : 'Set these environment variables to the TSIG secrets before plan or apply (dnsctl wrote the secrets nowhere; --secrets-out FILE writes them to a new 0600 file):',
      ...imported.secrets.map((s) => `  ${s.variable}  (TSIG ${JSON.stringify(s.tsig)})`),
    );
  }
  for (const note of imported.notes) lines.push(`Note: ${note}.`);
  const s = summarize(firstPlan);
  const changes = s.create + s.update + s.delete + s.conflict;
  if (changes === 0) lines.push('Checked: the config validates and a plan against the account shows no changes.');
  else {
    const dangers = planDangers(firstPlan).length;
    lines.push(
      `Checked: the config validates; the first plan will show ${changes} change(s) (${s.update} to update, ${s.delete} to delete${dangers > 0 ? `, ${dangers} marked dangerous` : ''}): ` +
        'review them with "dnsctl plan" before any apply.',
    );
  }
  return `${lines.join('\n')}\n`;
}

