import type { Result } from '../apply/types.js';
import type { Plan } from '../plan/types.js';
import { renderResultLine } from '../report/text.js';
import type { CommandContext } from './context.js';

export interface Progress {
  report(result: Result): void;
  done(): void;
}

/**
 * Apply's running output, text mode only: one line per settled operation; on a TTY also a
 * live "done/total" line kept at the bottom. Line-oriented (no redraws) when not a TTY.
 */
export function createProgress(ctx: CommandContext, plan: Plan): Progress {
  if (ctx.options.output !== 'text') return { report: () => {}, done: () => {} };
  const total = plan.operations.filter((op) => op.action !== 'noop').length;
  const live = ctx.stdout.isTTY === true;
  let done = 0;
  let failed = 0;
  let finished = false;
  const clearLine = () => live && ctx.stdout.write('\r\u001b[K');
  return {
    report(result) {
      // After an interrupt's deadline the summary is out; a late result must not follow it.
      if (finished) return;
      done += 1;
      if (result.status !== 'applied') failed += 1;
      clearLine();
      ctx.stdout.write(`${renderResultLine(result, ctx.style)}\n`);
      if (live && done < total) ctx.stdout.write(ctx.style.dim(`[${done}/${total}] ${failed} failed or skipped`));
    },
    done() {
      finished = true;
      clearLine();
    },
  };
}
