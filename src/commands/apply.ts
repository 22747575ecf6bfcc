import { executePlan } from '../apply/execute.js';
import type { Result } from '../apply/types.js';
import type { SecondaryDnsApi } from '../cloudflare/api.js';
import { describeResentDuplicate } from '../cloudflare/index.js';
import { ApplyRefusedError, errorMessage, exitCodeForSignal } from '../errors.js';
import { checkDeletes, refusalMessage } from '../plan/guard.js';
import { planSalt } from '../plan/hash.js';
import { hasChanges, type Plan } from '../plan/types.js';
import { appendStepSummary, failureAnnotations, isGitHubActions, setOutputs } from '../report/github.js';
import { applyJson } from '../report/json.js';
import { renderApplyMarkdown } from '../report/markdown.js';
import { acquireLock, type HeldLock } from '../report/lock.js';
import { assertPlanStillHolds, readPlanFile } from '../report/plan-file.js';
import { assertStateWritable, buildAppliedState, buildUnplannedState, newSalt, writeStateFile, type RunFacts } from '../report/state.js';
import { applySummaryLine, renderPlanText } from '../report/text.js';
import { VERSION } from '../version.js';
import { APPLY_QUESTION, askYesNo, isInteractive } from './confirm.js';
import type { CommandContext } from './context.js';
import { planMeta } from './plan.js';
import { loadLocalInputs, planAgainstAccount, throwIfInterrupted, type LocalInputs } from './prepare.js';
import { createProgress, renderApplyPreview } from './progress.js';

/** How long operations already in flight may take to finish after SIGINT/SIGTERM. */
export const IN_FLIGHT_DEADLINE_MS = 30_000;

type Signal = 'SIGINT' | 'SIGTERM';

/**
 * `dnsctl apply`: plan, execute, record. Once the account is involved, the state/report file is
 * always written. One apply at a time per state file: the lock is taken before the state file and
 * the account are read, and released however the run ends.
 */
export async function applyCommand(ctx: CommandContext): Promise<number> {
  const startedAt = new Date();
  const held: HeldLock[] = [];
  try {
    const inputs = await loadLocalInputs(ctx, async (statePath) => {
      assertStateWritable(statePath);
      const lock = await acquireLock(statePath, {
        timeoutMs: ctx.options.lockTimeoutSeconds * 1000,
        signal: ctx.signal,
        warn: (message) => ctx.stderr.write(`${message}\n`),
      });
      held.push(lock);
      ctx.cleanups.push(() => lock.release());
    });
    return await applyLocked(ctx, inputs, startedAt);
  } finally {
    for (const lock of held) lock.release();
  }
}

async function applyLocked(ctx: CommandContext, inputs: LocalInputs, startedAt: Date): Promise<number> {
  const reviewed = ctx.options.planIn ? readPlanFile(ctx.options.planIn) : null;
  const run = await planAgainstAccount(ctx, inputs).catch((err: unknown) => {
    writeStateFile(inputs.statePath, buildUnplannedState(inputs.previous, runFacts(inputs, startedAt, interruption(ctx)), errorMessage(err)));
    if (isGitHubActions(ctx.env)) setOutputs(ctx.env, { 'has-changes': 'false', 'report-path': inputs.statePath });
    throw err;
  });
  const meta = planMeta(run, reviewed?.plan_salt ?? planSalt(run.loaded.sha256, run.plan.accountId));
  if (reviewed) assertPlanStillHolds(reviewed, ctx.options.planIn!, meta);
  if (ctx.options.output === 'text') {
    ctx.stdout.write(renderApplyPreview(ctx, run.plan, `dnsctl apply: ${meta.configPath} → account ${meta.accountId}`, meta.notes));
  }
  await confirmApply(ctx, run.plan, run.loaded.desired.maxDeletes, `dnsctl apply: ${meta.configPath} → account ${meta.accountId}`);

  const results = await executeWithDeadline(ctx, run.plan, run.api);
  // A POST sent again after a lost answer may still have made a second object (issue 9.3).
  const duplicates = (await run.api.recheckResent?.().catch(() => [])) ?? [];
  for (const duplicate of duplicates) ctx.stderr.write(`dnsctl: warning: ${describeResentDuplicate(duplicate)}\n`);
  const interruptedBy = interruption(ctx);
  const state = buildAppliedState(run.plan, results, run.previous, runFacts(run, startedAt, interruptedBy));
  // The results are printed even when the report cannot be written, then that error is raised.
  let writeError: unknown = null;
  try {
    writeStateFile(run.statePath, state);
  } catch (err) {
    writeError = err;
  }

  if (ctx.options.output === 'json') {
    const view = applyJson(run.plan, results, state, { ...meta, statePath: run.statePath });
    ctx.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
  } else if (ctx.options.output === 'markdown') {
    ctx.stdout.write(renderApplyMarkdown(results, run.plan, meta));
  } else {
    if (interruptedBy) ctx.stdout.write(ctx.style.red(`Interrupted by ${interruptedBy}: operations not yet started were skipped.\n`));
    const where = writeError ? ctx.style.red('State/report NOT written (see the error below)') : `State/report written to ${run.statePath}`;
    ctx.stdout.write(`${ctx.style.bold(applySummaryLine(state.summary))}\n${where}\n`);
  }
  if (isGitHubActions(ctx.env)) {
    for (const line of failureAnnotations(results)) ctx.stderr.write(`${line}\n`);
    appendStepSummary(ctx.env, renderApplyMarkdown(results, run.plan, meta), (line) => ctx.stderr.write(`${line}\n`));
    setOutputs(ctx.env, {
      'has-changes': String(results.some((r) => r.status === 'applied')),
      ...(writeError ? {} : { 'report-path': run.statePath }),
    });
  }
  if (writeError) throw writeError;
  if (interruptedBy) return exitCodeForSignal(interruptedBy);
  return state.summary.failed + state.summary.skipped + duplicates.length > 0 ? 1 : 0;
}

/**
 * Before the first write: the blast-radius guard, then (a person at a terminal, no --yes, no
 * reviewed --plan) the question. Either refusal changes nothing and writes no state file.
 */
async function confirmApply(ctx: CommandContext, plan: Plan, maxDeletes: number | undefined, header: string): Promise<void> {
  const verdict = checkDeletes(plan, maxDeletes, ctx.options.allowDeletes);
  if (!verdict.allowed) throw new ApplyRefusedError(refusalMessage(verdict));
  if (ctx.options.yes || ctx.options.planIn || !hasChanges(plan) || !isInteractive(ctx.stdout)) return;
  const out = ctx.options.output === 'text' ? ctx.stdout : ctx.stderr;
  if (ctx.options.output !== 'text') out.write(renderPlanText(plan, ctx.style, header));
  const yes = await askYesNo(APPLY_QUESTION, out, ctx.signal);
  throwIfInterrupted(ctx.signal);
  if (!yes) throw new ApplyRefusedError('not confirmed ("yes" was not the answer); nothing was changed');
}

function interruption(ctx: CommandContext): Signal | null {
  if (!ctx.signal.aborted) return null;
  return ctx.signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
}

function runFacts(inputs: LocalInputs, startedAt: Date, interruptedBy: Signal | null): RunFacts {
  return {
    version: VERSION,
    configPath: inputs.loaded.path,
    configSha256: inputs.loaded.sha256,
    accountId: inputs.loaded.desired.accountId,
    startedAt,
    finishedAt: new Date(),
    interrupted: interruptedBy !== null,
    salt: inputs.previous?.fingerprint_salt ?? newSalt(),
  };
}

/**
 * Runs the plan. After an interrupt, operations in flight get IN_FLIGHT_DEADLINE_MS to finish;
 * any still running then are reported as failed with an unknown outcome, so the report is complete.
 */
async function executeWithDeadline(ctx: CommandContext, plan: Plan, api: SecondaryDnsApi): Promise<Result[]> {
  const settled = new Map<string, Result>();
  const progress = createProgress(ctx, plan);
  const execution = executePlan(plan, {
    api,
    concurrency: ctx.options.concurrency,
    signal: ctx.signal,
    onResult: (result) => {
      settled.set(result.op.id, result);
      progress.report(result);
    },
  });
  const deadline = new Promise<null>((resolve) => {
    const arm = () => setTimeout(() => resolve(null), IN_FLIGHT_DEADLINE_MS).unref();
    if (ctx.signal.aborted) arm();
    else ctx.signal.addEventListener('abort', arm, { once: true });
  });
  const finished = await Promise.race([execution, deadline]);
  progress.done();
  if (finished) return finished;
  return plan.operations
    .filter((op) => op.action !== 'noop')
    .map(
      (op): Result =>
        settled.get(op.id) ?? {
          status: 'failed',
          op,
          error: { message: `still in flight ${IN_FLIGHT_DEADLINE_MS / 1000} s after the interrupt; its outcome is unknown (the next apply will find out)` },
          cloudflareId: op.cloudflareId,
        },
    );
}
