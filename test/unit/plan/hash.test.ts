import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../../src/plan/build.js';
import { planHash, planSalt } from '../../../src/plan/hash.js';
import { emptyInventory } from '../../../src/plan/inventory.js';
import { desired, tsig } from '../../support/desired.js';

const CONFIG_SHA = 'a'.repeat(64);
const ACCOUNT = '01a7362d577a6c3019a474fd6f485823';

describe('the plan hash a reviewer sees', () => {
  const planOf = (secret: string) => buildPlan(desired(tsig('k.', secret)), { resources: [] }, emptyInventory);

  it('is the same for the same plan of the same config in two runs (pull request, then apply)', () => {
    const salt = planSalt(CONFIG_SHA, ACCOUNT);
    expect(planSalt(CONFIG_SHA, ACCOUNT)).toBe(salt);
    expect(planHash(planOf('s3cret'), planSalt(CONFIG_SHA, ACCOUNT))).toBe(planHash(planOf('s3cret'), salt));
  });

  it('still changes when a secret changes between review and apply', () => {
    const salt = planSalt(CONFIG_SHA, ACCOUNT);
    expect(planHash(planOf('rotated'), salt)).not.toBe(planHash(planOf('s3cret'), salt));
  });

  it('salts per config and per account, so fingerprints do not repeat across configs', () => {
    const salt = planSalt(CONFIG_SHA, ACCOUNT);
    expect(planSalt('b'.repeat(64), ACCOUNT)).not.toBe(salt);
    expect(planSalt(CONFIG_SHA, 'f'.repeat(32))).not.toBe(salt);
    expect(salt).toMatch(/^[0-9a-f]{32}$/);
    expect(salt).not.toContain(CONFIG_SHA.slice(0, 32));
  });
});
