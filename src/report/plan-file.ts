import { readFileSync } from 'node:fs';
import { OutputFileError, PlanMismatchError, errorMessage } from '../errors.js';
import type { Plan } from '../plan/types.js';
import { writeFileAtomic } from './atomic.js';
import { planJson, type PlanMeta } from './json.js';
import { jsonObject, writableTarget, type DnsctlFileKind } from './safe-write.js';

export const PLAN_FILE_FORMAT = 'dnsctl-plan';
export const PLAN_FILE_VERSION = 1;

/** `plan --out` replaces only a plan file dnsctl wrote (or an empty file). */
export const PLAN_FILE_KIND: DnsctlFileKind = {
  label: 'plan file',
  recognise: (text) => jsonObject(text)?.format === PLAN_FILE_FORMAT,
};

/** Before the account is read: `plan --out FILE` would be refused (not a plan file, no folder, ...). */
export function assertPlanFileWritable(path: string): void {
  writableTarget(path, PLAN_FILE_KIND);
}

export interface PlanFileHeader {
  format: string;
  format_version: number;
  dry_run: true;
  created_at: string;
  config: { path: string; sha256: string };
  account_id: string;
  plan_hash: string;
  /** Salt of the secret fingerprints inside plan_hash; apply recomputes the hash with it. */
  plan_salt: string;
}

/** The reviewed plan (also the dry-run report): what would be done, never a secret. */
export function writePlanFile(path: string, plan: Plan, meta: PlanMeta, salt: string, now: Date): void {
  const body = {
    format: PLAN_FILE_FORMAT,
    format_version: PLAN_FILE_VERSION,
    dry_run: true,
    created_at: now.toISOString(),
    plan_salt: salt,
    ...planJson(plan, meta),
  };
  try {
    writeFileAtomic(path, `${JSON.stringify(body, null, 2)}\n`, PLAN_FILE_KIND);
  } catch (err) {
    if (err instanceof OutputFileError) throw err;
    throw new OutputFileError(`could not write the plan file ${path}: ${errorMessage(err)}`);
  }
}

export function readPlanFile(path: string): PlanFileHeader {
  let parsed: Partial<PlanFileHeader>;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<PlanFileHeader>;
  } catch (err) {
    throw new PlanMismatchError(`cannot read plan file ${path}: ${errorMessage(err)}`);
  }
  if (
    parsed.format !== PLAN_FILE_FORMAT ||
    typeof parsed.plan_hash !== 'string' ||
    typeof parsed.plan_salt !== 'string' ||
    typeof parsed.config?.sha256 !== 'string'
  ) {
    throw new PlanMismatchError(`${path} is not a dnsctl plan file (write one with: dnsctl plan <config> --out ${path})`);
  }
  if ((parsed.format_version ?? 0) > PLAN_FILE_VERSION) {
    throw new PlanMismatchError(`plan file ${path} was written by a newer dnsctl (format ${parsed.format_version}); upgrade dnsctl`);
  }
  return parsed as PlanFileHeader;
}

/** `apply --plan`: the config and the account must still give exactly the reviewed plan. */
export function assertPlanStillHolds(file: PlanFileHeader, path: string, current: { configSha256: string; accountId: string; planHash: string }): void {
  if (file.config.sha256 !== current.configSha256) {
    throw new PlanMismatchError(`the config changed since the plan in ${path} was made (sha256 ${short(file.config.sha256)} → ${short(current.configSha256)}); run dnsctl plan again and review it`);
  }
  if (file.account_id !== current.accountId) {
    throw new PlanMismatchError(`the plan in ${path} is for account ${file.account_id}, not ${current.accountId}`);
  }
  if (file.plan_hash !== current.planHash) {
    throw new PlanMismatchError(
      `the account (or a secret in the environment) changed since the plan in ${path} was made: the plan now differs ` +
        `(hash ${short(file.plan_hash)} → ${short(current.planHash)}); nothing was applied. Run dnsctl plan again and review it`,
    );
  }
}

const short = (hash: string) => hash.slice(0, 12);
