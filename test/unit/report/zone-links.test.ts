/**
 * Zone links in the three renderings, from a real plan: the zone name, the direction (the
 * section), peers added and removed by name, enabled → disabled.
 */
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../../src/plan/build.js';
import { emptyInventory } from '../../../src/plan/inventory.js';
import { observeAccount } from '../../../src/observe.js';
import { planJson } from '../../../src/report/json.js';
import { renderPlanMarkdown } from '../../../src/report/markdown.js';
import { plainStyle } from '../../../src/report/style.js';
import { renderPlanText } from '../../../src/report/text.js';
import { desired, incoming, outgoing, peer, zone } from '../../support/desired.js';
import { MemoryApi } from '../../support/memory-api.js';

const ZONE_ID = '269d8f4853475ca241c4e730be286b20';

async function linkPlan() {
  const api = new MemoryApi();
  api.seedZone('example.com.', ZONE_ID);
  const a = api.seed('peers', { name: 'ns-a', ip: '192.0.2.1', port: 53 });
  const b = api.seed('peers', { name: 'ns-b', ip: '192.0.2.2', port: 53 });
  api.seedLink(ZONE_ID, 'incoming', { peers: [a.id, b.id], auto_refresh_seconds: 86_400 });
  api.seedLink(ZONE_ID, 'outgoing', { peers: [a.id] }, true);
  const example = zone('example.com', ZONE_ID);
  const want = desired(
    peer('ns-a', { ip: '192.0.2.1' }),
    peer('ns-b', { ip: '192.0.2.2' }),
    peer('ns-c', { ip: '192.0.2.3' }),
    incoming(example, ['ns-a', 'ns-c']),
    outgoing(example, ['ns-a'], false),
  );
  return buildPlan(want, await observeAccount(api, want), emptyInventory);
}

const META = { configPath: 'dnsctl.yaml', configSha256: 'a'.repeat(64), planHash: 'b'.repeat(64), accountId: '01a7362d577a6c3019a474fd6f485823', version: 'test' };

describe('zone links in plans', () => {
  it('text: the zone under its direction, peers added and removed by name, enabled → disabled', async () => {
    const text = renderPlanText(await linkPlan(), plainStyle, 'plan');
    expect(text).toMatch(/Incoming zone transfers \(Cloudflare as secondary\)\n {2}~ example\.com\s+update[^\n]*\n\s+peers: ns-a, ns-b → ns-a, ns-c {2}\(\+ns-c -ns-b\)/);
    expect(text).toMatch(/Outgoing zone transfers \(Cloudflare as primary\)\n {2}~ example\.com\s+update[^\n]*\n\s+enabled: true → false/);
  });

  it('JSON: the same facts as data', async () => {
    const json = planJson(await linkPlan(), META);
    const link = json.operations.find((op) => op.id === 'incoming:example.com')!;
    expect(link).toMatchObject({ action: 'update', kind: 'incoming', name: 'example.com', cloudflare_id: ZONE_ID });
    expect(link.changes).toEqual([{ field: 'peers', before: ['ns-a', 'ns-b'], after: ['ns-a', 'ns-c'], sensitive: false, added: ['ns-c'], removed: ['ns-b'] }]);
    expect(json.operations.find((op) => op.id === 'outgoing:example.com')!.changes).toEqual([{ field: 'enabled', before: true, after: false, sensitive: false }]);
  });

  it('Markdown: a table per direction with the zone, the peers added and removed, and the warning block', async () => {
    const md = renderPlanMarkdown(await linkPlan(), META);
    expect(md).toContain('#### Incoming zone transfers (Cloudflare as secondary)');
    expect(md).toContain('<code>peers</code>: <code>ns-a</code>, <code>ns-b</code> → <code>ns-a</code>, <code>ns-c</code> (added <code>ns-c</code>; removed <code>ns-b</code>)');
    expect(md).toContain('#### Outgoing zone transfers (Cloudflare as primary)');
    expect(md).toContain('<code>enabled</code>: <code>true</code> → <code>false</code>');
    // Losing a peer and being disabled are dangerous: listed above the tables.
    expect(md.indexOf('[!WARNING]')).toBeGreaterThan(-1);
    expect(md.indexOf('[!WARNING]')).toBeLessThan(md.indexOf('#### Incoming'));
  });
});
