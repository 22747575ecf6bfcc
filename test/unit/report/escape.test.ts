import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../../src/plan/build.js';
import { emptyInventory } from '../../../src/plan/inventory.js';
import { escapeText, neutraliseWorkflowCommands, safeLine } from '../../../src/report/escape.js';
import { plainStyle } from '../../../src/report/style.js';
import { renderPlanText, renderResultLine } from '../../../src/report/text.js';
import { desired, peer } from '../../support/desired.js';

describe('escaping text from the account', () => {
  it('makes control, zero-width and bidi characters visible, and leaves other text alone', () => {
    expect(escapeText('evil\u001b[2J')).toBe('evil\\u{1b}[2J');
    expect(escapeText('a\r\nb\u0000c\u007f\u009b')).toBe('a\\u{d}\\u{a}b\\u{0}c\\u{7f}\\u{9b}');
    expect(escapeText('x\u200by\u202ez\u2066\ufeff\u061c\u200f')).toBe('x\\u{200b}y\\u{202e}z\\u{2066}\\u{feff}\\u{61c}\\u{200f}');
    expect(escapeText('tsig.example.cf. münchen → сервер')).toBe('tsig.example.cf. münchen → сервер');
  });

  it('a line starting with "::" (also after spaces) is no longer a workflow command', () => {
    expect(neutraliseWorkflowCommands('ok\n::set-output name=x::y\n  ::error::z\nnot :: this')).toBe(
      'ok\n\\::set-output name=x::y\n  \\::error::z\nnot :: this',
    );
    expect(safeLine('::warning::a\nb')).toBe('\\::warning::a\\u{a}b');
  });

  it('the text plan and result lines print names, values and reasons escaped', () => {
    const hostile = '::set-output name=x::evil\u001b[2J';
    const plan = buildPlan(desired(peer(hostile, { ip: '192.0.2.1' })), { resources: [] }, emptyInventory);
    const text = renderPlanText(plan, plainStyle, 'dnsctl plan');
    expect(text).not.toContain('\u001b');
    expect(text).toContain('+ ::set-output name=x::evil\\u{1b}[2J  create');
    for (const line of text.split('\n')) expect(line.trimStart().startsWith('::')).toBe(false);

    const op = plan.operations[0]!;
    const line = renderResultLine({ status: 'failed', op, error: { message: 'boom\n::error::forged' }, cloudflareId: null }, plainStyle);
    expect(line).toBe('✗ peer ::set-output name=x::evil\\u{1b}[2J: create failed: boom\\u{a}::error::forged');
    const skipped = renderResultLine({ status: 'skipped', op, reason: '\u202eevil' }, plainStyle);
    expect(skipped).toContain('skipped: \\u{202e}evil');
  });
});
