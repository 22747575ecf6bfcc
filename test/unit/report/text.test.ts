import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../../src/plan/build.js';
import { emptyInventory } from '../../../src/plan/inventory.js';
import { actualFromApi, kindOf } from '../../../src/resources/index.js';
import { colourStyle, plainStyle, styleFor } from '../../../src/report/style.js';
import { applySummaryLine, planSummaryLine, renderPlanText, renderResultLine } from '../../../src/report/text.js';
import { desired, peer, tsig } from '../../support/desired.js';

const peerSpec = kindOf('peer');

describe('text output', () => {
  const existing = actualFromApi(peerSpec, { id: 'p-id', name: 'edge', ip: '192.0.2.1', port: 5353, ixfr_enable: false, tsig_id: '' });
  const plan = buildPlan(desired(tsig('k.example.', 'hidden-secret-value'), peer('edge', { tsig: 'k.example.' }), peer('new-peer')), { resources: [existing] }, emptyInventory);

  it('shows creates and updates with aligned markers, old → new, and never the secret', () => {
    const text = renderPlanText(plan, plainStyle, 'dnsctl plan');
    expect(text).toBe(
      [
        'dnsctl plan',
        '',
        'TSIG keys',
        '  + k.example.  create',
        '      algo:   hmac-sha512.',
        '      secret: (sensitive)',
        '',
        'Peers',
        '  ~ edge      update',
        '      port: 5353 → 53',
        '      tsig: (none) → k.example.',
        '  + new-peer  create',
        '      ip:          192.0.2.1',
        '      port:        53',
        '      ixfr_enable: false',
        '',
        'Plan: 2 to create, 1 to update, 0 to delete, 0 unchanged.',
        '',
      ].join('\n'),
    );
    expect(text).not.toContain('hidden-secret-value');
  });

  it('says so when there is nothing to do', () => {
    const noop = buildPlan(desired(), { resources: [] }, emptyInventory);
    expect(planSummaryLine(noop)).toBe('No changes. 0 unchanged.');
  });

  it('prints one line per result', () => {
    const [create, update] = [plan.operations[0]!, plan.operations[1]!];
    expect(renderResultLine({ status: 'applied', op: create, cloudflareId: 'abc' }, plainStyle)).toBe('+ TSIG k.example.: created (id abc)');
    expect(renderResultLine({ status: 'failed', op: update, error: { message: 'PUT peers/p-id: HTTP 500' }, cloudflareId: 'p-id' }, plainStyle)).toBe(
      '✗ peer edge: update failed: PUT peers/p-id: HTTP 500',
    );
    expect(applySummaryLine({ created: 1, updated: 2, deleted: 0, unchanged: 3, failed: 1, skipped: 4 })).toBe(
      'Apply: 1 created, 2 updated, 0 deleted, 3 unchanged, 1 failed, 4 skipped.',
    );
  });

  it('uses colour only on a TTY, never with NO_COLOR or TERM=dumb', () => {
    expect(styleFor({ isTTY: true }, {})).toBe(colourStyle);
    expect(styleFor({ isTTY: false }, {})).toBe(plainStyle);
    expect(styleFor({}, {})).toBe(plainStyle);
    expect(styleFor({ isTTY: true }, { NO_COLOR: '1' })).toBe(plainStyle);
    expect(styleFor({ isTTY: true }, { TERM: 'dumb' })).toBe(plainStyle);
    expect(renderPlanText(plan, colourStyle, 'x')).toContain('\u001b[32m+\u001b[0m');
  });
});
