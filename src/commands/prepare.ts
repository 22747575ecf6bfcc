import type { SecondaryDnsApi } from '../cloudflare/api.js';
import { credentialsFromEnv } from '../cloudflare/index.js';
import { loadConfig, type LoadedConfig } from '../config/index.js';
import { InterruptedError, StateFileError } from '../errors.js';
import { observeAccount } from '../observe.js';
import { buildPlan } from '../plan/build.js';
import { explainDeletes } from '../plan/why.js';
import type { Plan } from '../plan/types.js';
import { isGitHubActions, maskCommands } from '../report/github.js';
import { defaultStatePath, inventoryFrom, readStateFile, type StateFile } from '../report/state.js';
import { ZONE_KINDS } from '../resources/index.js';
import type { ZoneRef } from '../resources/types.js';
import { Secret } from '../secret.js';
import { connect } from './connect.js';
import type { CommandContext } from './context.js';
import { reportProblems } from './problems.js';

export interface LocalInputs {
  loaded: LoadedConfig;
  statePath: string;
  previous: StateFile | null;
}

export interface PreparedRun extends LocalInputs {
  api: SecondaryDnsApi;
  plan: Plan;
}

/**
 * The offline half: config, then the state file of the same account. `beforeState` runs once the
 * state file's path is known and before it is read (apply takes its lock there).
 */
export async function loadLocalInputs(ctx: CommandContext, beforeState?: (statePath: string) => Promise<void>): Promise<LocalInputs> {
  const loaded = await loadConfig(ctx.options.configPath, ctx.env);
  maskSecrets(ctx, loaded);
  reportProblems(ctx, loaded.warnings);

  const statePath = ctx.options.statePath ?? defaultStatePath(loaded.path);
  await beforeState?.(statePath);
  const previous = readStateFile(statePath);
  if (previous && previous.account_id !== loaded.desired.accountId) {
    throw new StateFileError(
      `state file ${statePath} belongs to account ${previous.account_id}, but the config is for account ` +
        `${loaded.desired.accountId}; pass --state with the state file of this account`,
    );
  }
  return { loaded, statePath, previous };
}

/** The online half: observe the account and plan. Reads only. */
export async function planAgainstAccount(ctx: CommandContext, inputs: LocalInputs): Promise<PreparedRun> {
  const api = connect(ctx, inputs.loaded.desired.accountId, configSecrets(inputs.loaded));
  ctx.logger.info({ accountId: inputs.loaded.desired.accountId }, 'reading the account');
  const actual = await observeAccount(api, inputs.loaded.desired, recordedZones(inputs.previous)).catch((err: unknown) => {
    throwIfInterrupted(ctx.signal);
    throw err;
  });
  throwIfInterrupted(ctx.signal);
  const plan = explainDeletes(buildPlan(inputs.loaded.desired, actual, inventoryFrom(inputs.previous)), inputs.loaded.path, inputs.previous);
  return { ...inputs, api, plan };
}

export async function preparePlan(ctx: CommandContext): Promise<PreparedRun> {
  return planAgainstAccount(ctx, await loadLocalInputs(ctx));
}

/** Zones whose links the state file records: read even when the config no longer declares them. */
function recordedZones(previous: StateFile | null): ZoneRef[] {
  const zoneKinds = new Set<string>(ZONE_KINDS.map((kind) => kind.kind));
  const entries = (previous?.resources ?? []).filter((e) => zoneKinds.has(e.kind) && e.id !== null);
  return [...new Map(entries.map((e) => [e.id, { name: e.name, id: e.id }])).values()];
}

export function throwIfInterrupted(signal: AbortSignal): void {
  if (signal.aborted) throw new InterruptedError(signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
}

/** In GitHub Actions, register every secret with the runner before anything is printed. */
function maskSecrets(ctx: CommandContext, loaded: LoadedConfig): void {
  if (!isGitHubActions(ctx.env)) return;
  const secrets = configSecrets(loaded);
  const credentials = credentialsFromEnv(ctx.env);
  secrets.push(credentials.kind === 'token' ? credentials.token : credentials.key);
  for (const line of maskCommands(secrets)) ctx.stderr.write(`${line}\n`);
}

/** The values of every secret the config holds (for masks and for scrubbing API messages). */
function configSecrets(loaded: LoadedConfig): string[] {
  return loaded.desired.resources.flatMap((r) => Object.values(r.values).filter((v): v is Secret => v instanceof Secret).map((s) => s.reveal()));
}
