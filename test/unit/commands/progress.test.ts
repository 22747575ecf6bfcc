import { describe, expect, it } from 'vitest';
import type { CliOptions } from '../../../src/cli/options.js';
import { createProgress } from '../../../src/commands/progress.js';
import type { CommandContext } from '../../../src/commands/context.js';
import { silentLogger } from '../../../src/log.js';
import { buildPlan } from '../../../src/plan/build.js';
import { emptyInventory } from '../../../src/plan/inventory.js';
import { plainStyle } from '../../../src/report/style.js';
import { desired, tsig } from '../../support/desired.js';

function context(isTTY: boolean, output: CliOptions['output'] = 'text') {
  const written: string[] = [];
  const ctx = {
    options: { output } as CliOptions,
    stdout: { isTTY, write: (chunk: string) => written.push(chunk) },
    stderr: { write: () => true },
    env: {},
    logger: silentLogger,
    style: plainStyle,
    signal: new AbortController().signal,
    cleanups: [],
  } satisfies CommandContext;
  return { ctx, written };
}

const plan = buildPlan(desired(tsig('a.', 's'), tsig('b.', 's'), tsig('c.', 's')), { resources: [] }, emptyInventory);
const [a, b, c] = plan.operations;

describe('apply progress', () => {
  it('on a TTY keeps a done/total line at the bottom, rewritten in place, cleared at the end', () => {
    const { ctx, written } = context(true);
    const progress = createProgress(ctx, plan);
    progress.report({ status: 'applied', op: a!, cloudflareId: '1' });
    progress.report({ status: 'failed', op: b!, error: { message: 'boom' }, cloudflareId: null });
    progress.done();
    expect(written).toEqual([
      '\r\u001b[K',
      '+ TSIG a.: created (id 1)\n',
      '[1/3] 0 failed or skipped',
      '\r\u001b[K',
      '✗ TSIG b.: create failed: boom\n',
      '[2/3] 1 failed or skipped',
      '\r\u001b[K',
    ]);
  });

  it('off a TTY (CI) writes plain lines only, and nothing after done()', () => {
    const { ctx, written } = context(false);
    const progress = createProgress(ctx, plan);
    progress.report({ status: 'applied', op: a!, cloudflareId: '1' });
    progress.done();
    progress.report({ status: 'applied', op: c!, cloudflareId: '3' });
    expect(written).toEqual(['+ TSIG a.: created (id 1)\n']);
  });

  it('writes nothing when the output is JSON or Markdown', () => {
    const { ctx, written } = context(true, 'json');
    createProgress(ctx, plan).report({ status: 'applied', op: a!, cloudflareId: '1' });
    expect(written).toEqual([]);
  });
});
