import { describe, expect, it } from 'vitest';
import { planDangers } from '../../../src/plan/danger.js';
import { checkDeletes, deleteLimit, managedCount, refusalMessage } from '../../../src/plan/guard.js';
import type { FieldChange, Operation, Plan } from '../../../src/plan/types.js';
import type { KindName } from '../../../src/resources/types.js';
import { renderPlanMarkdown } from '../../../src/report/markdown.js';
import { plainStyle } from '../../../src/report/style.js';
import { renderPlanText } from '../../../src/report/text.js';

const ACCOUNT = '01a7362d577a6c3019a474fd6f485823';

function change(field: string, before: FieldChange['before'], after: FieldChange['after'], extra: Partial<FieldChange> = {}): FieldChange {
  return { field, before, after, sensitive: false, ...extra };
}

function op(action: Operation['action'], kind: KindName, name: string, changes: FieldChange[] = [], reason?: string): Operation {
  const cloudflareId = action === 'create' ? null : `${kind}-${name}`;
  return {
    id: action === 'delete' ? `${kind}:${name}#${cloudflareId}` : `${kind}:${name}`,
    action,
    kind,
    name,
    cloudflareId,
    changes,
    dependsOn: [],
    desired: null,
    ...(reason ? { reason } : {}),
  };
}

const plan = (operations: Operation[]): Plan => ({ accountId: ACCOUNT, operations, unmanaged: [] });
const deletes = (n: number) => Array.from({ length: n }, (_, i) => op('delete', 'peer', `gone-${i}`, [], 'not declared in the config, which says manage: all'));
const noops = (n: number) => Array.from({ length: n }, (_, i) => op('noop', 'peer', `kept-${i}`));

describe('blast radius', () => {
  it('counts as managed what the plan matches or deletes, not creates or conflicts', () => {
    const p = plan([op('create', 'peer', 'new'), op('conflict', 'peer', 'twin'), op('update', 'peer', 'u', [change('port', 53, 54)]), ...noops(2), ...deletes(1)]);
    expect(managedCount(p)).toBe(4);
  });

  it('default limit: the floor of 3 for small accounts, 30 % (rounded down) for large ones', () => {
    expect(deleteLimit(plan([...noops(1), ...deletes(3)])).limit).toBe(3);
    expect(checkDeletes(plan([...noops(1), ...deletes(3)])).allowed).toBe(true);
    expect(checkDeletes(plan([...noops(1), ...deletes(4)])).allowed).toBe(false);
    // 100 managed: 30 may go, 31 may not.
    expect(checkDeletes(plan([...noops(70), ...deletes(30)])).allowed).toBe(true);
    expect(checkDeletes(plan([...noops(69), ...deletes(31)]))).toMatchObject({ allowed: false, limit: 30, managed: 100, source: 'default' });
  });

  it('max_deletes in the config replaces the default; --allow-deletes beats both', () => {
    const p = plan([...noops(100), ...deletes(5)]);
    expect(checkDeletes(p, 4)).toMatchObject({ allowed: false, limit: 4, source: 'config' });
    expect(checkDeletes(p, 4, 5)).toMatchObject({ allowed: true, limit: 5, source: 'flag' });
    expect(checkDeletes(p, undefined, 0)).toMatchObject({ allowed: false, limit: 0, source: 'flag' });
    expect(checkDeletes(plan(noops(3)), 0).allowed).toBe(true);
  });

  it('the refusal says what to do and names every delete with its reason', () => {
    const message = refusalMessage(checkDeletes(plan([...noops(1), ...deletes(4)])));
    const [head, ...rest] = message.split('\n');
    expect(head).toContain('would delete 4 objects, more than the default limit max(3, 30 % of 5 managed objects) = 3; nothing was changed');
    expect(head).toContain('--allow-deletes 4');
    expect(rest).toEqual(Array.from({ length: 4 }, (_, i) => `  - peer "gone-${i}" (id peer-gone-${i}): not declared in the config, which says manage: all`));
  });
});

const dangerous = plan([
  op('update', 'tsig', 'k1.', [change('secret', '(sensitive)', '(sensitive)', { sensitive: true })]),
  op('update', 'tsig', 'k2.', [change('algo', 'hmac-sha256.', 'hmac-sha512.')]),
  op('update', 'tsig', 'k3.', [change('name', 'old.', 'k3.')]),
  op('update', 'peer', 'ns1', [change('tsig', 'k1.', null)]),
  op('update', 'peer', 'ns2', [change('tsig', null, 'k1.'), change('port', 53, 5353)]),
  op('update', 'peer', 'ns-new', [change('name', 'ns-old', 'ns-new')]),
  op('update', 'incoming', 'example.com', [change('peers', ['ns1', 'ns2'], ['ns2'], { added: [], removed: ['ns1'] })]),
  op('update', 'outgoing', 'example.net', [change('peers', ['ns1'], ['ns1', 'ns2'], { added: ['ns2'], removed: [] }), change('enabled', true, false)]),
  op('delete', 'peer', 'old-ns', [change('ip', '192.0.2.9', null)], 'no longer declared in the config; the state file records it as managed by dnsctl'),
]);

describe('dangerous changes', () => {
  it('marks deletes, a lost TSIG, a TSIG key change, a link losing peers or disabled — nothing else', () => {
    expect(planDangers(dangerous).map((d) => [d.opId, d.kind])).toEqual([
      ['tsig:k1.', 'tsig-key-changed'],
      ['tsig:k2.', 'tsig-key-changed'],
      ['peer:ns1', 'tsig-removed'],
      ['incoming:example.com', 'link-peers-removed'],
      ['outgoing:example.net', 'link-disabled'],
      ['peer:old-ns#peer-old-ns', 'delete'],
    ]);
  });

  it('text: the dangers listed above the details, each operation marked, a rename on its line', () => {
    const text = renderPlanText(dangerous, plainStyle, 'dnsctl plan: x');
    const lines = text.split('\n');
    const block = lines.indexOf('⚠ 6 dangerous changes:');
    expect(block).toBeGreaterThan(0);
    expect(block).toBeLessThan(lines.findIndex((l) => l === 'TSIG keys'));
    expect(lines.slice(block + 1, block + 7)).toEqual([
      '  - TSIG "k1." changes its secret: every server using the key must change at the same time, or transfers fail',
      '  - TSIG "k2." changes its algorithm: every server using the key must change at the same time, or transfers fail',
      '  - peer "ns1" loses its TSIG "k1.": transfers with it become unauthenticated',
      '  - incoming transfer link of example.com loses peer "ns1"',
      '  - outgoing transfer link of example.net is disabled: no more transfers to its secondaries',
      '  - deletes peer "old-ns" (id peer-old-ns)',
    ]);
    expect(text).toMatch(/^ {2}- old-ns +delete {2}⚠ dangerous$/m);
    expect(text).toMatch(/^ {2}~ ns2 +update$/m);
    expect(text).toMatch(/^ {2}~ ns-old → ns-new {2}update$/m);
    expect(text).toMatch(/^ {2}~ old\. → k3\. +update$/m);
  });

  it('Markdown: the comment opens (under its title) with a warning block listing them', () => {
    const md = renderPlanMarkdown(dangerous, {
      configPath: 'dnsctl.yaml',
      configSha256: 'd2a84f4b8b650937ec8f73cd8be2c74add5a911ba64df27458ed8229da804a26',
      planHash: 'sha256:5f1c0a9e44b7',
      accountId: ACCOUNT,
      version: '0.1.0',
    });
    expect(md).toMatchSnapshot();
    const lines = md.split('\n');
    expect(lines[2]).toBe('> [!WARNING]');
    expect(lines[3]).toBe('> **⚠️ 6 dangerous changes in this plan: review before merging**');
  });

  it('a plan without dangers has no warning', () => {
    const calm = plan([op('update', 'peer', 'ns2', [change('tsig', null, 'k1.')]), op('create', 'peer', 'new')]);
    expect(planDangers(calm)).toEqual([]);
    expect(renderPlanText(calm, plainStyle, 'h')).not.toContain('⚠');
    expect(renderPlanMarkdown(calm, { configPath: 'c', configSha256: 'x', planHash: 'y', accountId: ACCOUNT, version: '0' })).not.toContain('[!WARNING]');
  });
});
