import { createHash } from 'node:crypto';
import { Secret, secretFingerprint } from '../secret.js';
import type { Plan } from './types.js';

/**
 * The salt of a plan's secret fingerprints, derived from the config and the account rather than
 * drawn per run: the same config against the same account state gives the same plan hash in the
 * pull-request comment and in the apply job's summary, so a reviewer can tell that the applied
 * plan is the reviewed one. It is no weaker than a random salt: that one is stored in the plan
 * file beside the hash, and TSIG secrets are random keys, not guessable words.
 */
export function planSalt(configSha256: string, accountId: string): string {
  return createHash('sha256').update(`dnsctl plan salt\0${accountId}\0${configSha256}`).digest('hex').slice(0, 32);
}

/**
 * A hash of what the plan will do, for `apply --plan` and the pull-request comment. Secrets
 * enter it as fingerprints salted with `salt` (kept in the plan file), so that a secret changed
 * in the environment after review changes the hash without the hash revealing the secret.
 */
export function planHash(plan: Plan, salt: string): string {
  const canonical = plan.operations.map((op) => ({
    id: op.id,
    action: op.action,
    cloudflareId: op.cloudflareId,
    changes: op.changes,
    dependsOn: op.dependsOn,
    secrets: Object.entries(op.desired?.values ?? {})
      .filter((entry): entry is [string, Secret] => entry[1] instanceof Secret)
      .map(([field, secret]) => [field, secretFingerprint(salt, secret)]),
  }));
  return createHash('sha256').update(JSON.stringify({ accountId: plan.accountId, canonical })).digest('hex');
}
