import { describe, expect, it } from 'vitest';
import type { CliOptions } from '../../../src/cli/options.js';
import { announcePacerWait } from '../../../src/commands/connect.js';
import { createProgress, renderApplyPreview, type ProgressClock } from '../../../src/commands/progress.js';
import type { PacerWait } from '../../../src/cloudflare/pacer.js';
import type { CommandContext } from '../../../src/commands/context.js';
import { silentLogger } from '../../../src/log.js';
import { buildPlan } from '../../../src/plan/build.js';
import { emptyInventory } from '../../../src/plan/inventory.js';
import { plainStyle } from '../../../src/report/style.js';
import { desired, tsig } from '../../support/desired.js';

function context(isTTY: boolean, output: CliOptions['output'] = 'text', rows = 24) {
  const written: string[] = [];
  const errors: string[] = [];
  const ctx = {
    options: { output } as CliOptions,
    stdout: Object.assign({ isTTY, write: (chunk: string) => written.push(chunk) }, { rows }),
    stderr: { write: (chunk: string) => errors.push(chunk) },
    env: {},
    logger: silentLogger,
    style: plainStyle,
    signal: new AbortController().signal,
    cleanups: [],
  } satisfies CommandContext;
  return { ctx, written, errors };
}

/** A clock moved by hand; `every` ticks are fired by tick(). */
function manualClock() {
  let time = 0;
  const ticks = new Set<() => void>();
  const clock: ProgressClock = {
    now: () => time,
    every: (_ms, tick) => {
      ticks.add(tick);
      return () => ticks.delete(tick);
    },
  };
  return {
    clock,
    ticking: () => ticks.size,
    advance(ms: number) {
      time += ms;
      for (const tick of [...ticks]) tick();
    },
  };
}

const budgetWait = (waitMs: number): PacerWait => ({ waitMs, reason: 'budget', limit: 1200, windowMs: 300_000 });


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

describe('apply progress while the pacer holds requests', () => {
  it('on a TTY the live line says what it waits for, counts down, and estimates what is left', () => {
    const { ctx, written } = context(true);
    const { clock, advance, ticking } = manualClock();
    const progress = createProgress(ctx, plan, clock);
    advance(10_000);
    progress.report({ status: 'applied', op: a!, cloudflareId: '1' });
    written.length = 0;
    announcePacerWait(ctx, budgetWait(12_000));
    expect(written).toEqual([
      '\r\u001b[K',
      '[1/3] 0 failed or skipped · waiting 12 s for the API budget: 1200 requests / 5 min · 10 s elapsed, about 20 s left',
    ]);
    advance(1000); // a second later, nothing settled: the countdown moved
    expect(written.at(-1)).toBe('[1/3] 0 failed or skipped · waiting 11 s for the API budget: 1200 requests / 5 min · 11 s elapsed, about 22 s left');
    advance(11_000); // the wait is over: back to the plain count, no more ticks
    expect(written.at(-1)).toBe('[1/3] 0 failed or skipped');
    expect(ticking()).toBe(0);
    announcePacerWait(ctx, budgetWait(300)); // a slot freeing in 0.3 s: not worth a flicker
    expect(written.at(-1)).toBe('[1/3] 0 failed or skipped');
    progress.done();
    announcePacerWait(ctx, budgetWait(12_000)); // after done: silent
    expect(written.at(-1)).toBe('\r\u001b[K');
  });

  it('says when Cloudflare answered 429 rather than the budget', () => {
    const { ctx, written } = context(true);
    const progress = createProgress(ctx, plan, manualClock().clock);
    announcePacerWait(ctx, { ...budgetWait(5000), reason: 'rate-limited' });
    expect(written.at(-1)).toBe('[0/3] 0 failed or skipped · waiting 5 s: Cloudflare answered 429 (rate limited) · 0 s elapsed, about 5 s left');
    progress.done();
  });

  it('off a TTY writes a plain line for each wait longer than 5 s, and none for shorter ones', () => {
    const { ctx, written } = context(false);
    const { clock, advance } = manualClock();
    const progress = createProgress(ctx, plan, clock);
    announcePacerWait(ctx, budgetWait(5000));
    expect(written).toEqual([]);
    advance(65_000);
    progress.report({ status: 'applied', op: a!, cloudflareId: '1' });
    announcePacerWait(ctx, budgetWait(30_000));
    expect(written).toEqual([
      '+ TSIG a.: created (id 1)\n',
      'waiting 30 s for the API budget: 1200 requests / 5 min (1/3 done, 1m05s elapsed, about 2m10s left)\n',
    ]);
    progress.done();
  });

  it('with JSON output the wait lines go to stderr, stdout stays clean', () => {
    const { ctx, written, errors } = context(false, 'json');
    const progress = createProgress(ctx, plan, manualClock().clock);
    announcePacerWait(ctx, { ...budgetWait(90_000), limit: 600, windowMs: 30_000 });
    expect(written).toEqual([]);
    expect(errors).toEqual(['waiting 1m30s for the API budget: 600 requests / 30 s (0/3 done, 0 s elapsed, about 1m30s left)\n']);
    progress.done();
  });
});

describe('apply on a TTY with more changes than fit on the screen', () => {
  const big = buildPlan(desired(...Array.from({ length: 30 }, (_, i) => tsig(`t${i}.`, 's'))), { resources: [] }, emptyInventory);

  it('prints the plan per kind, and only the results that went wrong', () => {
    const { ctx, written } = context(true, 'text', 24);
    const preview = renderApplyPreview(ctx, big, 'dnsctl apply: c.yaml → account x', []);
    expect(preview).toContain('TSIG keys: 30 to create');
    expect(preview).not.toContain('t17.');
    expect(preview).toContain('Plan: 30 to create, 0 to update, 0 to delete, 0 unchanged.');
    const progress = createProgress(ctx, big, manualClock().clock);
    progress.report({ status: 'applied', op: big.operations[0]!, cloudflareId: '1' });
    progress.report({ status: 'failed', op: big.operations[1]!, error: { message: 'boom' }, cloudflareId: null });
    progress.done();
    expect(written.join('')).not.toContain('t0.');
    expect(written.join('')).toContain('✗ TSIG t1.: create failed: boom\n');
  });

  it('prints every change when they fit, or when stdout is not a TTY', () => {
    const tall = context(true, 'text', 60).ctx;
    expect(renderApplyPreview(tall, big, 'h', [])).toContain('t17.');
    const ci = context(false, 'text', 24).ctx;
    expect(renderApplyPreview(ci, big, 'h', [])).toContain('t17.');
  });
});
