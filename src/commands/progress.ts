import type { Result } from '../apply/types.js';
import type { PacerWait } from '../cloudflare/pacer.js';
import type { Plan } from '../plan/types.js';
import { KINDS } from '../resources/index.js';
import { dangerBlock, planSummaryLine, renderPlanText, renderResultLine } from '../report/text.js';
import { onPacerWait } from './connect.js';
import type { CommandContext } from './context.js';

export interface Progress {
  report(result: Result): void;
  done(): void;
}

export interface ProgressClock {
  now(): number;
  /** Calls `tick` every `ms` until the returned stop is called. */
  every(ms: number, tick: () => void): () => void;
}

const realClock: ProgressClock = {
  now: Date.now,
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

/** Without a TTY, a wait is worth a line only from this long. */
export const PLAIN_WAIT_LINE_MS = 5000;
/** On a TTY, shorter waits (a slot freeing while the window slides) would only flicker. */
const LIVE_WAIT_MS = 1000;
/** Lines kept free below the plan summary on a TTY (header, notes, summary, live line). */
const SCREEN_MARGIN = 6;

/**
 * On a TTY, an apply with more changes than fit on the screen shows the plan per kind and only
 * the results that went wrong, so that the live line is not scrolled away; `plan` and
 * `--output json` keep every line.
 */
function isCompact(ctx: CommandContext, plan: Plan): boolean {
  if (ctx.stdout.isTTY !== true) return false;
  // A pseudo-terminal may report 0 rows: unknown, so the usual 24.
  const rows = (ctx.stdout as { rows?: number }).rows || 24;
  return changeCount(plan) > rows - SCREEN_MARGIN;
}

function changeCount(plan: Plan): number {
  return plan.operations.filter((op) => op.action !== 'noop').length;
}

/** The plan apply prints before it starts: in full, or per kind when it would not fit on the screen. */
export function renderApplyPreview(ctx: CommandContext, plan: Plan, header: string, notes: string[] = []): string {
  if (!isCompact(ctx, plan)) return renderPlanText(plan, ctx.style, header, notes);
  const lines = [ctx.style.bold(header), ...notes.map((n) => ctx.style.dim(n)), ''];
  for (const spec of KINDS) {
    const counts = new Map<string, number>();
    for (const op of plan.operations) {
      if (op.kind === spec.kind && op.action !== 'noop') counts.set(op.action, (counts.get(op.action) ?? 0) + 1);
    }
    if (counts.size === 0) continue;
    const parts = [...counts].map(([action, n]) => `${n} to ${action === 'conflict' ? 'resolve (conflict)' : action}`);
    lines.push(`${ctx.style.bold(spec.title)}: ${parts.join(', ')}`);
  }
  lines.push(ctx.style.dim('(every change: dnsctl plan, or --output json; only failures are listed below)'));
  lines.push(...dangerBlock(plan, ctx.style));
  lines.push(ctx.style.bold(planSummaryLine(plan)), '');
  return `${lines.join('\n')}\n`;
}

/** "1200 requests / 5 min" */
export function budgetText(wait: PacerWait): string {
  const seconds = wait.windowMs / 1000;
  const window = seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
  return `${wait.limit} requests / ${window}`;
}

/** 12 s, 2m05s */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/**
 * Apply's running output. Text mode: one line per settled operation; on a TTY also a live
 * "done/total" line kept at the bottom, which says so while the pacer holds requests (with the
 * time elapsed and an estimate of what is left). Line-oriented (no redraws) when not a TTY, where
 * a wait longer than PLAIN_WAIT_LINE_MS gets a line of its own. JSON/Markdown keep stdout clean:
 * only those wait lines, on stderr.
 */
export function createProgress(ctx: CommandContext, plan: Plan, clock: ProgressClock = realClock): Progress {
  const text = ctx.options.output === 'text';
  const live = text && ctx.stdout.isTTY === true;
  const compact = text && isCompact(ctx, plan);
  const total = changeCount(plan);
  const startedAt = clock.now();
  let done = 0;
  let failed = 0;
  let finished = false;
  let waiting: { wait: PacerWait; until: number } | null = null;
  let stopTicking: (() => void) | null = null;

  const elapsedAndLeft = (waitLeft: number) => {
    const elapsed = clock.now() - startedAt;
    const byPace = done > 0 ? ((total - done) * elapsed) / done : 0;
    const left = Math.max(waitLeft, byPace);
    return `${formatDuration(elapsed)} elapsed${left > 0 ? `, about ${formatDuration(left)} left` : ''}`;
  };
  const waitText = (wait: PacerWait, ms: number) =>
    wait.reason === 'budget'
      ? `waiting ${formatDuration(ms)} for the API budget: ${budgetText(wait)}`
      : `waiting ${formatDuration(ms)}: Cloudflare answered 429 (rate limited)`;

  const clearLine = () => live && ctx.stdout.write('\r\u001b[K');
  const drawLive = () => {
    if (!live || finished) return;
    if (waiting && waiting.until <= clock.now()) {
      waiting = null;
      stopTicking?.();
      stopTicking = null;
    }
    if (!waiting && done === 0) return;
    let line = `[${done}/${total}] ${failed} failed or skipped`;
    if (waiting) line += ` · ${waitText(waiting.wait, waiting.until - clock.now())} · ${elapsedAndLeft(waiting.until - clock.now())}`;
    ctx.stdout.write(ctx.style.dim(line));
  };

  const unsubscribe = onPacerWait(ctx, (wait) => {
    if (finished) return;
    if (live) {
      if (wait.waitMs < LIVE_WAIT_MS) return;
      waiting = { wait, until: clock.now() + wait.waitMs };
      clearLine();
      drawLive();
      // The countdown moves while nothing settles.
      stopTicking ??= clock.every(1000, () => {
        clearLine();
        drawLive();
      });
    } else if (wait.waitMs > PLAIN_WAIT_LINE_MS) {
      const line = `${waitText(wait, wait.waitMs)} (${done}/${total} done, ${elapsedAndLeft(wait.waitMs)})\n`;
      (text ? ctx.stdout : ctx.stderr).write(line);
    }
  });

  return {
    report(result) {
      // After an interrupt's deadline the summary is out; a late result must not follow it.
      if (finished || !text) return;
      done += 1;
      if (result.status !== 'applied') failed += 1;
      clearLine();
      if (!compact || result.status !== 'applied') ctx.stdout.write(`${renderResultLine(result, ctx.style)}\n`);
      if (done < total) drawLive();
    },
    done() {
      finished = true;
      unsubscribe();
      stopTicking?.();
      clearLine();
    },
  };
}
