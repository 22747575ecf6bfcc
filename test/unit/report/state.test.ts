import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../../src/apply/types.js';
import { StateFileError } from '../../../src/errors.js';
import { buildPlan } from '../../../src/plan/build.js';
import { emptyInventory } from '../../../src/plan/inventory.js';
import {
  STATE_FORMAT_VERSION,
  buildAppliedState,
  buildUnplannedState,
  defaultStatePath,
  inventoryFrom,
  readStateFile,
  writeStateFile,
  type RunFacts,
} from '../../../src/report/state.js';
import { Secret } from '../../../src/secret.js';
import { ACCOUNT, desired, peer, tsig } from '../../support/desired.js';

const facts: RunFacts = {
  version: '9.9.9',
  configPath: 'dns.yaml',
  configSha256: 'abc',
  accountId: ACCOUNT,
  startedAt: new Date('2026-01-01T00:00:00Z'),
  finishedAt: new Date('2026-01-01T00:00:05Z'),
  interrupted: false,
  salt: 'salt-1',
};

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'dnsctl-state-'));
}

describe('state file', () => {
  it('sits beside the config by default', () => {
    expect(defaultStatePath('/repo/dns/config.yaml')).toBe('/repo/dns/config.state.json');
  });

  it('records every operation, its outcome and id, and never the secret', () => {
    const plan = buildPlan(desired(tsig('k1', 'top-secret-value'), peer('p1', { tsig: 'k1' }), peer('p2')), { resources: [] }, emptyInventory);
    const [k1, p1, p2] = plan.operations;
    const results: Result[] = [
      { status: 'applied', op: k1!, cloudflareId: 'id-k1' },
      { status: 'failed', op: p1!, error: { message: 'PUT peers failed' }, cloudflareId: 'id-p1' },
      { status: 'skipped', op: p2!, reason: 'interrupted before it started' },
    ];
    const state = buildAppliedState(plan, results, null, facts);
    expect(state.outcome).toBe('partial');
    expect(state.summary).toEqual({ created: 1, updated: 0, deleted: 0, unchanged: 0, failed: 1, skipped: 1 });
    expect(state.resources).toEqual([
      {
        kind: 'tsig',
        name: 'k1.',
        id: 'id-k1',
        operation: 'create',
        status: 'applied',
        fingerprints: { secret: expect.stringMatching(/^hmac-sha256:[0-9a-f]{32}$/) },
        managed_since: '2026-01-01T00:00:00.000Z',
        managed_by: 'create',
      },
      { kind: 'peer', name: 'p1', id: 'id-p1', operation: 'create', status: 'failed', error: 'PUT peers failed' },
      { kind: 'peer', name: 'p2', id: null, operation: 'create', status: 'skipped', error: 'interrupted before it started' },
    ]);
    expect(JSON.stringify(state)).not.toContain('top-secret-value');

    const inventory = inventoryFrom(state);
    expect(inventory.idOf('tsig', 'k1')).toBe('id-k1');
    expect(inventory.manages('peer', 'id-p1')).toBe(true);
    expect(inventory.idOf('peer', 'p2')).toBeUndefined();
    expect(inventory.secretMatches('tsig', 'k1', 'secret', new Secret('top-secret-value'))).toBe(true);
    expect(inventory.secretMatches('tsig', 'k1', 'secret', new Secret('another'))).toBe(false);
  });

  it('forgets objects it deleted', () => {
    const plan = buildPlan(desired(), { resources: [{ kind: 'peer', id: 'old', name: 'gone', values: {}, refIds: {} }] }, { ...emptyInventory, manages: () => true });
    const state = buildAppliedState(plan, [{ status: 'applied', op: plan.operations[0]!, cloudflareId: 'old' }], null, facts);
    expect(state.summary.deleted).toBe(1);
    expect(inventoryFrom(state).manages('peer', 'old')).toBe(false);
  });

  it('keeps the previous inventory when a run fails before it could plan', () => {
    const plan = buildPlan(desired(tsig('k1', 's')), { resources: [] }, emptyInventory);
    const previous = buildAppliedState(plan, [{ status: 'applied', op: plan.operations[0]!, cloudflareId: 'id-k1' }], null, facts);
    const failed = buildUnplannedState(previous, facts, 'GET tsigs failed: 403');
    expect(failed.outcome).toBe('failed');
    expect(failed.error).toBe('GET tsigs failed: 403');
    expect(failed.resources).toEqual(previous.resources);
  });

  it('writes atomically and reads back what it wrote, leaving no temp file', () => {
    const dir = tempDir();
    const path = join(dir, 'x.state.json');
    const state = buildUnplannedState(null, facts, 'boom');
    writeStateFile(path, state);
    writeStateFile(path, { ...state, error: 'second' });
    expect(readStateFile(path)?.error).toBe('second');
    expect(readdirSync(dir)).toEqual(['x.state.json']);
  });

  it('returns null when there is no state file yet', () => {
    expect(readStateFile(join(tempDir(), 'missing.json'))).toBeNull();
  });

  it.each([
    ['truncated JSON', '{"format_version": 1, "resour', /not valid JSON/],
    ['not an object', '[1,2]', /not a JSON object/],
    ['no format version', '{"resources": []}', /no format_version/],
    ['newer format', JSON.stringify({ format_version: STATE_FORMAT_VERSION + 1, account_id: ACCOUNT, fingerprint_salt: 's', resources: [] }), /newer dnsctl/],
    ['malformed entry', JSON.stringify({ format_version: 1, account_id: ACCOUNT, fingerprint_salt: 's', resources: [42] }), /malformed resources entry/],
  ])('refuses a state file with %s and leaves it untouched', (_label, content, message) => {
    const path = join(tempDir(), 'bad.state.json');
    writeFileSync(path, content);
    expect(() => readStateFile(path)).toThrow(StateFileError);
    expect(() => readStateFile(path)).toThrow(message);
    expect(readFileSync(path, 'utf8')).toBe(content);
  });
});
