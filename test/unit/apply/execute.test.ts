import { ACCOUNT_KINDS } from '../../../src/resources/index.js';
import { describe, expect, it, vi } from 'vitest';
import { executePlan } from '../../../src/apply/execute.js';
import type { Result } from '../../../src/apply/types.js';
import { ApiError } from '../../../src/errors.js';
import { buildPlan } from '../../../src/plan/build.js';
import { emptyInventory } from '../../../src/plan/inventory.js';
import { observeAccount } from '../../../src/observe.js';
import type { DesiredState } from '../../../src/resources/types.js';
import { MemoryApi } from '../../support/memory-api.js';
import { desired, peer, tsig } from '../../support/desired.js';

async function apply(api: MemoryApi, want: DesiredState, concurrency = 4, signal?: AbortSignal): Promise<Result[]> {
  const actual = await observeAccount(api, want);
  return executePlan(buildPlan(want, actual, emptyInventory), { api, concurrency, ...(signal ? { signal } : {}) });
}

describe('executePlan', () => {
  it('creates TSIGs first and each peer with a full-body POST, then (the POST kept only the name) a PUT carrying the real tsig_id', async () => {
    const api = new MemoryApi();
    const results = await apply(api, desired(tsig('k1', 'secret-1'), peer('p1', { ip: '192.0.2.7', port: 5353, tsig: 'k1' })));
    expect(results.map((r) => [r.op.id, r.status])).toEqual([
      ['tsig:k1.', 'applied'],
      ['peer:p1', 'applied'],
    ]);
    const key = api.objects('tsigs')[0]!;
    expect(key).toMatchObject({ name: 'k1.', algo: 'hmac-sha512.', secret: 'secret-1' });
    expect(api.objects('peers')).toEqual([{ id: expect.any(String), name: 'p1', ip: '192.0.2.7', port: 5353, ixfr_enable: false, tsig_id: key.id }]);
    expect(api.writes().map((c) => [c.method, c.verb, c.target, c.body && Object.keys(c.body)])).toEqual([
      ['create', undefined, 'tsigs', ['name', 'algo', 'secret']],
      ['create', undefined, 'peers', ['name', 'ip', 'port', 'ixfr_enable', 'tsig_id']],
      ['send', 'PUT', 'peers', ['name', 'ip', 'port', 'ixfr_enable', 'tsig_id']],
    ]);
    expect(api.writes()[1]!.body).toEqual({ name: 'p1', ip: '192.0.2.7', port: 5353, ixfr_enable: false, tsig_id: key.id });
    expect(api.writes()[2]!.path).toBe(`/accounts/${api.accountId}/secondary_dns/peers/${api.objects('peers')[0]!.id}`);
  });

  it('applying the same config again writes nothing', async () => {
    const api = new MemoryApi();
    const want = desired(tsig('k1', 's'), peer('p1', { tsig: 'k1' }), peer('p2'));
    await apply(api, want);
    const before = api.writes().length;
    const readsBefore = api.calls.length;
    expect(await apply(api, want)).toEqual([]);
    expect(api.writes().length).toBe(before);
    // Observing: one list per account kind, nothing per object.
    expect(api.calls.slice(readsBefore).map((c) => `${c.method} ${c.target}`)).toEqual(ACCOUNT_KINDS.map((kind) => `list ${kind.configKey}`));
  });

  it('never runs more operations at once than the concurrency limit, and uses all of it', async () => {
    // A fake clock: every call takes exactly 5 ms, so the rounds can be counted.
    vi.useFakeTimers();
    try {
      const api = new MemoryApi();
      const resources = Array.from({ length: 12 }, (_, i) => tsig(`k${i}`, `s${i}`));
      const plan = buildPlan(desired(...resources), { resources: [] }, emptyInventory);
      api.delayMs = 5;
      const run = executePlan(plan, { api, concurrency: 3 });
      const inFlight: number[] = [];
      for (let round = 0; round < 4; round++) {
        await vi.advanceTimersByTimeAsync(round === 0 ? 0 : 5);
        inFlight.push(api.inFlight);
      }
      await vi.advanceTimersByTimeAsync(5);
      // 12 operations, 3 at a time: four full rounds of 5 ms, then nothing is left.
      expect(inFlight).toEqual([3, 3, 3, 3]);
      expect(api.inFlight).toBe(0);
      expect((await run).every((r) => r.status === 'applied')).toBe(true);
      expect(api.peakInFlight).toBe(3);
      expect(api.objects('tsigs')).toHaveLength(12);
    } finally {
      vi.useRealTimers();
    }
  });

  it('starts a peer as soon as its own TSIG exists, not after every TSIG (a DAG, not levels)', async () => {
    const api = new MemoryApi();
    const order: string[] = [];
    api.failWhen = (call) => {
      order.push(`${call.verb ?? call.method}:${String(call.body?.name ?? call.path)}`);
      return null;
    };
    const slow = api.create.bind(api);
    api.create = async (path, body) => {
      if (body.name === 'slow-key.') await new Promise((r) => setTimeout(r, 60));
      return slow(path, body);
    };
    // A fake clock: the 60 ms of slow-key (and every call's 0 ms) pass in a fixed order.
    vi.useFakeTimers();
    try {
      const run = apply(api, desired(tsig('fast-key', 'a'), tsig('slow-key', 'b'), peer('fast-peer', { tsig: 'fast-key' }), peer('slow-peer', { tsig: 'slow-key' })), 4);
      await vi.runAllTimersAsync();
      await run;
    } finally {
      vi.useRealTimers();
    }
    // slow-key's POST reaches the account only after 60 ms; fast-peer's full create is done before that.
    expect(order.indexOf('PUT:fast-peer')).toBeGreaterThan(-1);
    expect(order.indexOf('PUT:fast-peer')).toBeLessThan(order.indexOf('create:slow-key.'));
    expect(order.indexOf('create:slow-peer')).toBeGreaterThan(order.indexOf('create:slow-key.'));
  });

  it('skips the dependents of a failed operation and carries on with the rest', async () => {
    const api = new MemoryApi();
    api.failWhen = (call) =>
      call.method === 'create' && call.body?.name === 'bad-key.'
        ? new ApiError('POST tsigs', 400, [{ code: 1002, message: 'invalid algo' }], 'POST tsigs failed: invalid algo (code 1002)')
        : null;
    const results = await apply(api, desired(tsig('bad-key', 'x'), tsig('good-key', 'y'), peer('p-bad', { tsig: 'bad-key' }), peer('p-good', { tsig: 'good-key' })));
    const byId = Object.fromEntries(results.map((r) => [r.op.id, r]));
    expect(byId['tsig:bad-key.']).toMatchObject({ status: 'failed', error: { status: 400, codes: [1002] } });
    expect(byId['peer:p-bad']).toMatchObject({ status: 'skipped' });
    expect((byId['peer:p-bad'] as { reason: string }).reason).toContain('TSIG "bad-key." failed: POST tsigs failed: invalid algo');
    expect(byId['tsig:good-key.']!.status).toBe('applied');
    expect(byId['peer:p-good']!.status).toBe('applied');
    expect(api.objects('peers').map((p) => p.name)).toEqual(['p-good']);
  });

  it('reports the id of a peer whose PUT failed after the POST created it', async () => {
    const api = new MemoryApi();
    api.failWhen = (call) => (call.verb === 'PUT' ? new Error('connection reset') : null);
    const [result] = await apply(api, desired(peer('p1')));
    expect(result).toMatchObject({ status: 'failed', cloudflareId: api.objects('peers')[0]!.id, error: { message: 'connection reset' } });
  });

  it('fails a conflict without touching the account and skips what depends on it', async () => {
    const api = new MemoryApi();
    api.seed('tsigs', { name: 'dup', algo: 'hmac-sha512.', secret: 's' });
    api.seed('tsigs', { name: 'dup', algo: 'hmac-sha512.', secret: 's' });
    const results = await apply(api, desired(tsig('dup', 's'), peer('p1', { tsig: 'dup' })));
    expect(results.map((r) => r.status)).toEqual(['failed', 'skipped']);
    expect(api.writes()).toEqual([]);
  });

  it('after an abort starts nothing new and reports the rest as skipped', async () => {
    const api = new MemoryApi();
    api.delayMs = 20;
    const controller = new AbortController();
    const want = desired(...Array.from({ length: 6 }, (_, i) => tsig(`k${i}`, 's')));
    const plan = buildPlan(want, await observeAccount(api, want), emptyInventory);
    // The first write stops the run.
    api.failWhen = () => {
      controller.abort('SIGINT');
      return null;
    };
    const results = await executePlan(plan, { api, concurrency: 2, signal: controller.signal });
    const applied = results.filter((r) => r.status === 'applied');
    expect(applied).toHaveLength(2);
    const skipped = results.filter((r) => r.status === 'skipped');
    expect(skipped).toHaveLength(4);
    expect(skipped.every((r) => r.status === 'skipped' && r.reason === 'interrupted before it started')).toBe(true);
    expect(api.objects('tsigs')).toHaveLength(2);
  });
});
