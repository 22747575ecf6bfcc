/**
 * `plan --out plan.json` then `apply --plan plan.json`, over HTTP against the fake: the reviewed
 * plan is applied exactly; when the config, the account or a secret changed in between, apply
 * refuses (exit 1), says why, and writes nothing to the account (nor to the state file).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { StateFile } from '../../src/report/state.js';
import { randomHex, readJson, removeTempDirs, tempDir, writeConfig, writeText, type ConfigSpec } from '../support/cli.js';
import { actualObjects, closeFakes, expectedObjects, runInProcess, startFake, writes } from '../support/fake.js';

afterEach(closeFakes);
afterAll(removeTempDirs);

const SPEC: ConfigSpec = {
  tsigs: [
    { name: 'a.tsig.', secretVar: 'SECRET_A' },
    { name: 'b.tsig.', algo: 'hmac-sha256.', secretVar: 'SECRET_B' },
  ],
  peers: [
    { name: 'ns1', ip: '192.0.2.1', tsig: 'a.tsig.' },
    { name: 'ns2', ip: '2001:db8::2', port: 5353, ixfr_enable: true, tsig: 'b.tsig.' },
  ],
};

interface PlanFile {
  format: string;
  dry_run: boolean;
  plan_hash: string;
  config: { sha256: string };
  operations: Array<{ id: string; action: string }>;
}

async function setup() {
  const fake = await startFake({ latencyMs: 1 });
  const dir = tempDir();
  const config = writeConfig(dir, SPEC);
  const state = join(dir, 'state.json');
  const planPath = join(dir, 'plan.json');
  const env: Record<string, string> = {
    CLOUDFLARE_API_TOKEN: fake.token,
    CLOUDFLARE_BASE_URL: fake.url,
    SECRET_A: randomHex(48),
    SECRET_B: randomHex(48),
  };
  const common = ['--state', state, '--timeout', '2'];
  return {
    fake,
    dir,
    config,
    state,
    planPath,
    env,
    plan: () => runInProcess(['plan', config, ...common, '--out', planPath], { env }),
    applyPlan: () => runInProcess(['apply', config, ...common, '--plan', planPath], { env }),
  };
}

describe('apply --plan', () => {
  it('applies exactly the reviewed plan', async () => {
    const s = await setup();
    const plan = await s.plan();
    expect(plan.code).toBe(0);
    expect(plan.stderr).toContain(`Plan written to ${s.planPath}`);
    const file = readJson<PlanFile>(s.planPath);
    expect(file).toMatchObject({ format: 'dnsctl-plan', dry_run: true });
    expect(file.plan_hash).toMatch(/^[0-9a-f]{64}$/);
    const planText = readFileSync(s.planPath, 'utf8');
    expect(planText).not.toContain(s.env.SECRET_A);
    expect(planText).not.toContain(s.env.SECRET_B);
    expect(writes(s.fake)).toEqual([]);
    expect(existsSync(s.state)).toBe(false);

    const run = await s.applyPlan();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(actualObjects(s.fake)).toEqual(expectedObjects(s.fake, SPEC, s.env));
    const state = readJson<StateFile>(s.state);
    expect(state.resources.map((e) => `${e.kind}:${e.name} ${e.operation}`)).toEqual(file.operations.map((op) => `${op.id} ${op.action}`));
    expect(state.resources.every((e) => e.status === 'applied')).toBe(true);
  });

  it('refuses when the config changed after the plan: exit 1, says why, no writes', async () => {
    const s = await setup();
    expect((await s.plan()).code).toBe(0);
    writeConfig(s.dir, { ...SPEC, peers: [{ ...SPEC.peers![0]!, port: 54 }, SPEC.peers![1]!] });
    s.fake.resetStats();

    const run = await s.applyPlan();
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/dnsctl: error: the config changed since the plan in .*plan\.json was made/);
    expect(writes(s.fake)).toEqual([]);
    expect(s.fake.objects('tsigs')).toEqual([]);
    expect(s.fake.objects('peers')).toEqual([]);
  });

  it('refuses when the account changed after the plan: exit 1, says why, no writes, state file untouched', async () => {
    const s = await setup();
    // A first apply so that there is an account and a state file to protect.
    expect((await runInProcess(['apply', s.config, '--state', s.state], { env: s.env })).code).toBe(0);
    writeConfig(s.dir, { ...SPEC, peers: [SPEC.peers![0]!, { ...SPEC.peers![1]!, port: 5300 }] });
    expect((await s.plan()).code).toBe(0);
    // Someone edits ns1 in the dashboard between review and apply.
    const ns1 = s.fake.objects('peers').find((p) => p.name === 'ns1')!;
    s.fake.seed('peers', { ...ns1, ip: '192.0.2.111' });
    const stateBefore = readFileSync(s.state, 'utf8');
    s.fake.resetStats();

    const run = await s.applyPlan();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the account (or a secret in the environment) changed since the plan');
    expect(run.stderr).toContain('nothing was applied');
    expect(writes(s.fake)).toEqual([]);
    expect(s.fake.objects('peers').find((p) => p.name === 'ns1')?.ip).toBe('192.0.2.111');
    expect(readFileSync(s.state, 'utf8')).toBe(stateBefore);
  });

  it('refuses when an object the plan would create appeared in the account meanwhile', async () => {
    const s = await setup();
    expect((await s.plan()).code).toBe(0);
    s.fake.seed('tsigs', { name: 'a.tsig.', algo: 'hmac-sha512.', secret: 'made-by-hand' });
    s.fake.resetStats();
    const run = await s.applyPlan();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('changed since the plan');
    expect(writes(s.fake)).toEqual([]);
  });

  it('refuses when a TSIG secret in the environment changed after the plan', async () => {
    const s = await setup();
    expect((await runInProcess(['apply', s.config, '--state', s.state], { env: s.env })).code).toBe(0);
    expect((await s.plan()).code).toBe(0); // no changes
    s.env.SECRET_B = randomHex(48);
    s.fake.resetStats();
    const run = await s.applyPlan();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('changed since the plan');
    expect(writes(s.fake)).toEqual([]);
  });

  it('refuses when the secret of a TSIG the plan creates changed after the plan', async () => {
    // The reviewed plan says "create a.tsig. with secret (sensitive)": the secret it was made with.
    const s = await setup();
    expect((await s.plan()).code).toBe(0);
    s.env.SECRET_A = randomHex(48);
    const run = await s.applyPlan();
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toContain('changed since the plan');
    expect(writes(s.fake)).toEqual([]);
  });

  it('refuses a file that is not a dnsctl plan, before any write', async () => {
    const s = await setup();
    writeText(s.dir, 'plan.json', '{"hello": "world"}');
    const run = await s.applyPlan();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is not a dnsctl plan file');
    expect(writes(s.fake)).toEqual([]);
    writeFileSync(s.planPath, '{ truncated');
    const broken = await s.applyPlan();
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('cannot read plan file');
    expect(writes(s.fake)).toEqual([]);
  });
});
