import { describe, expect, it } from 'vitest';
import type { Result } from '../../../src/apply/types.js';
import type { FieldChange, Operation, Plan } from '../../../src/plan/types.js';
import type { KindName } from '../../../src/resources/types.js';
import {
  FOLD_THRESHOLD,
  escapeMarkdown,
  renderApplyMarkdown,
  renderPlanMarkdown,
  type ReportMeta,
} from '../../../src/report/markdown.js';

const META: ReportMeta = {
  configPath: 'dns/dnsctl.yaml',
  configSha256: 'd2a84f4b8b650937ec8f73cd8be2c74add5a911ba64df27458ed8229da804a26',
  planHash: 'sha256:5f1c0a9e44b7',
  accountId: '01a7362d577a6c3019a474fd6f485823',
  version: '0.1.0',
};

function change(field: string, before: FieldChange['before'], after: FieldChange['after'], sensitive = false): FieldChange {
  return { field, before, after, sensitive };
}

function op(action: Operation['action'], kind: KindName, name: string, changes: FieldChange[] = [], extra: Partial<Operation> = {}): Operation {
  const cloudflareId = action === 'create' ? null : `${kind}-id-${name}`;
  return {
    id: action === 'delete' ? `${kind}:${name}#${cloudflareId}` : `${kind}:${name}`,
    action,
    kind,
    name,
    cloudflareId,
    changes,
    dependsOn: [],
    desired: null,
    ...extra,
  };
}

function plan(operations: Operation[], unmanaged: Plan['unmanaged'] = []): Plan {
  return { accountId: META.accountId, operations, unmanaged };
}

const tsigCreate = op('create', 'tsig', 'tsig.customer.cf.', [
  change('algo', null, 'hmac-sha512.'),
  change('secret', null, '(sensitive)', true),
]);
const peerCreate = op(
  'create',
  'peer',
  'my-peer-1',
  [change('ip', null, '192.0.2.53'), change('port', null, 53), change('ixfr_enable', null, false), change('tsig', null, 'tsig.customer.cf.')],
  { dependsOn: ['tsig:tsig.customer.cf.'] },
);

const creates = plan([tsigCreate, peerCreate]);

const mixed = plan(
  [
    op('update', 'tsig', 'tsig.backup.cf.', [change('secret', '(sensitive)', '(sensitive)', true)]),
    op('noop', 'tsig', 'tsig.customer.cf.'),
    op('update', 'peer', 'my-peer-1', [change('ip', '192.0.2.1', '192.0.2.53'), change('tsig', null, 'tsig.backup.cf.')]),
    op('conflict', 'peer', 'twin', [], {
      reason: 'the account holds 2 peers named "twin" (ids a1, b2) and the state file records neither',
    }),
    op('noop', 'peer', 'my-peer-2'),
    op('delete', 'peer', 'old-peer', [change('ip', '198.51.100.7', null), change('port', 53, null)]),
  ],
  [{ kind: 'peer', name: 'hand-made', id: 'f00d' }],
);

const noChanges = plan([op('noop', 'tsig', 'tsig.customer.cf.'), op('noop', 'peer', 'my-peer-1')]);

const long = plan(
  Array.from({ length: FOLD_THRESHOLD + 5 }, (_, i) =>
    op('create', 'peer', `peer-${String(i).padStart(2, '0')}`, [change('ip', null, `192.0.2.${i + 1}`)]),
  ),
);

const evilName = 'evil|name`<script>alert(1)</script>';
const evil = plan([
  op('create', 'peer', evilName, [change('ip', null, '192.0.2.9|x'), change('note' as string, null, '**bold** @octocat [x](http://e)')]),
]);

/** Splits a table row on the pipes a GFM renderer would split on (unescaped ones). */
function cells(row: string): string[] {
  return row.split(/(?<!\\)\|/).slice(1, -1);
}

describe('renderPlanMarkdown', () => {
  it('renders a plan with creates only', () => {
    const md = renderPlanMarkdown(creates, META);
    expect(md).toMatchSnapshot();
    expect(md.split('\n')[0]).toBe('### dnsctl plan: 2 to create, 0 to update, 0 to delete, 0 unchanged');
    expect(md).toContain('#### TSIG keys');
    expect(md).toContain('#### Peers');
    expect(md.indexOf('#### TSIG keys')).toBeLessThan(md.indexOf('#### Peers'));
    expect(md).not.toContain('<details>');
  });

  it('renders updates, a sensitive change, a conflict and a delete', () => {
    const md = renderPlanMarkdown(mixed, META);
    expect(md).toMatchSnapshot();
    expect(md.split('\n')[0]).toBe('### dnsctl plan: 0 to create, 2 to update, 1 to delete, 2 unchanged, 1 conflict');
    // The conflict is an error block before the tables, and a row in its table.
    expect(md.indexOf('> [!CAUTION]')).toBeGreaterThan(0);
    expect(md.indexOf('> [!CAUTION]')).toBeLessThan(md.indexOf('#### '));
    expect(md).toMatch(/\| <code>twin<\/code> \| `!` \*\*conflict\*\* \| \*\*error:\*\* the account holds 2 peers/);
    // noops are counted, not listed
    expect(md).not.toContain('my-peer-2');
    expect(md).toContain('2 unchanged resources not listed.');
    expect(md).toContain('<code>ip</code>: <code>192.0.2.1</code> → <code>192.0.2.53</code>');
    expect(md).toContain('<code>secret</code>: (sensitive) → (sensitive)');
    expect(md).toContain('hand-made');
  });

  it('shows "(sensitive)" for a sensitive field whatever value the change holds', () => {
    const leaky = plan([op('update', 'tsig', 't', [change('secret', 'old-secret-value', 'new-secret-value', true)])]);
    const md = renderPlanMarkdown(leaky, META);
    expect(md).not.toContain('secret-value');
    expect(md).toContain('(sensitive) → (sensitive)');
  });

  it('has a clear "no changes" form', () => {
    const md = renderPlanMarkdown(noChanges, META);
    expect(md).toMatchSnapshot();
    expect(md).toMatch(/^### dnsctl plan: no changes\n/);
    expect(md).toContain('2 resources unchanged');
    expect(md).not.toContain('| Name');
  });

  it('folds a long plan into <details>', () => {
    const md = renderPlanMarkdown(long, META);
    expect(md).toMatchSnapshot();
    expect(md).toContain(`<details><summary>Show all ${FOLD_THRESHOLD + 5} changes</summary>`);
    expect(md.indexOf('<details>')).toBeLessThan(md.indexOf('| Name'));
    expect(md.trimEnd().split('\n').at(-1)).toMatch(/^<sub>dnsctl /);
  });

  it('does not fold a plan of exactly the threshold', () => {
    const md = renderPlanMarkdown(plan(long.operations.slice(0, FOLD_THRESHOLD)), META);
    expect(md).not.toContain('<details>');
  });

  it('escapes a malicious name so it cannot break the table or inject HTML', () => {
    const md = renderPlanMarkdown(evil, META);
    expect(md).toMatchSnapshot();
    expect(md).not.toContain('<script>');
    expect(md).not.toContain('`<');
    expect(md).not.toContain('**bold**');
    expect(md).not.toContain('@octocat');
    const row = md.split('\n').find((l) => l.includes('evil'));
    expect(row).toBeDefined();
    expect(cells(row!)).toHaveLength(3);
    expect(row).toContain('evil&#124;name&#96;&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('shows the footer: config path, short sha256, plan hash, short account, version', () => {
    const md = renderPlanMarkdown(creates, META);
    const last = md.trimEnd().split('\n').at(-1)!;
    expect(last).toContain('dnsctl 0.1.0');
    expect(last).toContain('<code>dns/dnsctl.yaml</code>');
    expect(last).toContain('<code>d2a84f4b8b65</code>');
    expect(last).not.toContain(META.configSha256);
    expect(last).toContain('<code>sha256:5f1c0a9e44b7</code>');
    expect(last).toContain('<code>01a7362d…5823</code>');
  });
});

describe('escapeMarkdown', () => {
  it('leaves no Markdown, HTML or table syntax', () => {
    expect(escapeMarkdown('a|b`c<d>&e*f_g[h]i\\j')).toBe('a&#124;b&#96;c&lt;d&gt;&amp;e&#42;f&#95;g&#91;h&#93;i&#92;j');
  });

  it('makes line breaks and bidi overrides visible instead of acting on them', () => {
    expect(escapeMarkdown('a\nb\r\tc\u202Ed')).toBe('a\u240Ab\u240D\u2409c\uFFFDd');
  });

  it('shows C1 controls, zero-width characters and bidi marks as U+FFFD, not as nothing', () => {
    expect(escapeMarkdown('a\u0085b\u200Bc\u200Fd\u2066e\uFEFFf\u061Cg')).toBe('a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf\uFFFDg');
  });

  it('keeps ordinary names readable', () => {
    expect(escapeMarkdown('tsig.customer.cf.')).toBe('tsig.customer.cf.');
    expect(escapeMarkdown('192.0.2.53')).toBe('192.0.2.53');
  });
});

describe('renderApplyMarkdown', () => {
  const ops = mixed.operations;
  const [backupUpdate, , peerUpdate, twin, , oldPeerDelete] = ops as [Operation, Operation, Operation, Operation, Operation, Operation];

  it('shows per-operation status and a summary', () => {
    const results: Result[] = [
      { status: 'failed', op: backupUpdate, cloudflareId: backupUpdate.cloudflareId, error: { message: 'TSIG key is invalid', status: 400, codes: [1004] } },
      { status: 'skipped', op: peerUpdate, reason: 'depends on tsig:tsig.backup.cf., which failed' },
      { status: 'skipped', op: twin, reason: 'conflict: 2 peers named "twin"' },
      { status: 'applied', op: oldPeerDelete, cloudflareId: oldPeerDelete.cloudflareId },
    ];
    const md = renderApplyMarkdown(results, mixed, META);
    expect(md).toMatchSnapshot();
    expect(md.split('\n')[0]).toBe('### dnsctl apply: 1 applied, 1 failed, 2 skipped, 2 unchanged');
    expect(md).toContain('> [!CAUTION]');
    expect(md).toContain('TSIG key is invalid (HTTP 400, code 1004)');
    expect(md).toContain('⏭️ skipped: depends on tsig:tsig.backup.cf., which failed');
    const row = md.split('\n').find((l) => l.startsWith('| <code>old-peer</code>'));
    expect(row).toContain('✅ applied');
  });

  it('reports operations without a result as not run', () => {
    const results: Result[] = [{ status: 'applied', op: tsigCreate, cloudflareId: 'new-id' }];
    const md = renderApplyMarkdown(results, creates, META);
    expect(md.split('\n')[0]).toBe('### dnsctl apply: 1 applied, 0 failed, 0 skipped, 1 not run, 0 unchanged');
    expect(md).toContain('⚪ not run');
    expect(md).toContain('did not run');
  });

  it('has a "no changes" form', () => {
    const md = renderApplyMarkdown([], noChanges, META);
    expect(md).toMatchSnapshot();
    expect(md).toMatch(/^### dnsctl apply: no changes\n/);
  });

  it('escapes error messages', () => {
    const results: Result[] = [
      { status: 'failed', op: tsigCreate, cloudflareId: null, error: { message: 'bad <img src=x onerror=alert(1)> | `x`' } },
      { status: 'skipped', op: peerCreate, reason: 'depends on a|b' },
    ];
    const md = renderApplyMarkdown(results, creates, META);
    expect(md).not.toMatch(/<img/);
    for (const line of md.split('\n').filter((l) => l.startsWith('| <code>'))) {
      expect(cells(line)).toHaveLength(4);
    }
  });
});
