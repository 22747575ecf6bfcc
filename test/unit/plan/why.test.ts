import { describe, expect, it } from 'vitest';
import type { Result } from '../../../src/apply/types.js';
import { buildPlan } from '../../../src/plan/build.js';
import { emptyInventory } from '../../../src/plan/inventory.js';
import { explainDeletes } from '../../../src/plan/why.js';
import { buildAppliedState, buildImportedState, inventoryFrom, type RunFacts } from '../../../src/report/state.js';
import type { ActualResource } from '../../../src/resources/types.js';
import { desired, peer, withManage } from '../../support/desired.js';

const facts = (iso: string): RunFacts => ({
  version: 't',
  configPath: 'dns/dnsctl.yaml',
  configSha256: 'x',
  accountId: '01a7362d577a6c3019a474fd6f485823',
  startedAt: new Date(iso),
  finishedAt: new Date(iso),
  interrupted: false,
  salt: 's',
});
const actualPeer = (id: string, name: string): ActualResource => ({ kind: 'peer', id, name, values: { ip: '192.0.2.1', port: 53, ixfr_enable: false }, refIds: { tsig: null } });

describe('why a delete happens', () => {
  it('names the config file and when dnsctl created or imported the object; the record survives later applies', () => {
    // Run 1 creates "made"; the import recorded "adopted".
    const createPlan = buildPlan(desired(peer('made')), { resources: [] }, emptyInventory);
    const created = buildAppliedState(createPlan, [{ status: 'applied', op: createPlan.operations[0]!, cloudflareId: 'id-made' } as Result], null, facts('2026-03-04T05:06:07Z'));
    const imported = buildImportedState([{ kind: 'peer', name: 'adopted', id: 'id-adopted' }], facts('2026-02-01T00:00:00Z'));
    // Run 2 changes nothing: the dates are kept.
    const merged = { ...created, resources: [...created.resources, ...imported.resources] };
    const actual = { resources: [actualPeer('id-made', 'made'), actualPeer('id-adopted', 'adopted'), actualPeer('id-other', 'other')] };
    const noop = buildPlan(desired(peer('made'), peer('adopted')), actual, inventoryFrom(merged));
    const kept = buildAppliedState(noop, [], merged, facts('2026-05-01T00:00:00Z'));
    expect(kept.resources.map((e) => [e.name, e.managed_since, e.managed_by])).toEqual([
      ['adopted', '2026-02-01T00:00:00.000Z', 'import'],
      ['made', '2026-03-04T05:06:07.000Z', 'create'],
    ]);

    // Run 3: both gone from the config; "other" undeclared under manage: all.
    const plan = explainDeletes(buildPlan(withManage(desired(), 'all'), actual, inventoryFrom(kept)), 'dns/dnsctl.yaml', kept);
    expect(plan.operations.map((op) => [op.action, op.name, op.reason])).toEqual([
      ['delete', 'adopted', 'no longer in dnsctl.yaml; imported by dnsctl import on 2026-02-01'],
      ['delete', 'made', 'no longer in dnsctl.yaml; created by dnsctl on 2026-03-04'],
      ['delete', 'other', 'not in dnsctl.yaml, which says manage: all'],
    ]);
  });

  it('without a date in the state file, it says the state file records the object', () => {
    const actual = { resources: [actualPeer('id-old', 'old')] };
    const state = { ...buildImportedState([], facts('2026-01-01T00:00:00Z')), resources: [{ kind: 'peer' as const, name: 'old', id: 'id-old', operation: 'create' as const, status: 'applied' as const }] };
    const plan = explainDeletes(buildPlan(desired(), actual, inventoryFrom(state)), 'x/conf.yml', state);
    expect(plan.operations[0]?.reason).toBe('no longer in conf.yml; the state file records it as managed by dnsctl');
  });
});
