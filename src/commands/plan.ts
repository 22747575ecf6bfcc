import { planHash, planSalt } from '../plan/hash.js';
import { checkDeletes } from '../plan/guard.js';
import { hasChanges } from '../plan/types.js';
import { appendStepSummary, isGitHubActions, setOutputs } from '../report/github.js';
import { planJson, type PlanMeta } from '../report/json.js';
import { renderPlanMarkdown } from '../report/markdown.js';
import { assertPlanFileWritable, writePlanFile } from '../report/plan-file.js';
import { renderPlanText } from '../report/text.js';
import { VERSION } from '../version.js';
import type { CommandContext } from './context.js';
import { preparePlan, type PreparedRun } from './prepare.js';

export function planMeta(run: PreparedRun, salt: string): PlanMeta {
  const notes =
    run.previous || run.loaded.desired.manage === 'all'
      ? []
      : [`No state file at ${run.statePath}: dnsctl has no record of what it manages yet, so it deletes nothing.`];
  const guard = checkDeletes(run.plan, run.loaded.desired.maxDeletes);
  if (!guard.allowed) {
    notes.push(`apply will refuse this plan: ${guard.deletes.length} deletes, more than the limit of ${guard.limit}; apply it with --allow-deletes ${guard.deletes.length} if intended.`);
  }
  return {
    configPath: run.loaded.path,
    configSha256: run.loaded.sha256,
    planHash: planHash(run.plan, salt),
    accountId: run.plan.accountId,
    version: VERSION,
    notes,
  };
}

/** `dnsctl plan`: a dry run. Reads the account, prints the plan, never writes to the account. */
export async function planCommand(ctx: CommandContext): Promise<number> {
  if (ctx.options.planOut) assertPlanFileWritable(ctx.options.planOut);
  const run = await preparePlan(ctx);
  const salt = planSalt(run.loaded.sha256, run.plan.accountId);
  const meta = planMeta(run, salt);
  const { plan } = run;

  if (ctx.options.output === 'json') ctx.stdout.write(`${JSON.stringify(planJson(plan, meta), null, 2)}\n`);
  else if (ctx.options.output === 'markdown') ctx.stdout.write(renderPlanMarkdown(plan, meta));
  else ctx.stdout.write(renderPlanText(plan, ctx.style, `dnsctl plan: ${meta.configPath} → account ${meta.accountId}`, meta.notes));

  if (ctx.options.planOut) {
    writePlanFile(ctx.options.planOut, plan, meta, salt, new Date());
    ctx.stderr.write(`Plan written to ${ctx.options.planOut}; apply exactly it with: dnsctl apply ${meta.configPath} --plan ${ctx.options.planOut}\n`);
  }
  if (isGitHubActions(ctx.env)) {
    appendStepSummary(ctx.env, renderPlanMarkdown(plan, meta), (line) => ctx.stderr.write(`${line}\n`));
    setOutputs(ctx.env, { 'has-changes': String(hasChanges(plan)), 'plan-hash': meta.planHash });
  }
  if (plan.operations.some((op) => op.action === 'conflict')) return 1;
  return ctx.options.detailedExitcode && hasChanges(plan) ? 2 : 0;
}
