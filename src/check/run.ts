/** Runs every probe of every target under one concurrency limit; results in target order. */
import pLimit from 'p-limit';
import { probeAxfr, probeSoa } from './probe.js';
import type { CheckOptions, CheckReport, CheckTargets, ProbeResult } from './types.js';

export async function runChecks(checkTargets: CheckTargets, options: CheckOptions): Promise<CheckReport> {
  const limit = pLimit(options.concurrency);
  const probe = { timeoutMs: options.timeoutMs, now: options.now ?? Date.now };
  const jobs: Array<Promise<ProbeResult | null>> = [];
  const guarded = (run: () => Promise<ProbeResult>) => limit(() => (options.signal?.aborted ? null : run()));
  for (const target of checkTargets.targets) {
    jobs.push(guarded(() => probeSoa(target, 'TCP', probe)));
    if (options.udp) jobs.push(guarded(() => probeSoa(target, 'UDP', probe)));
    if (options.axfr) jobs.push(guarded(() => probeAxfr(target, probe)));
  }
  const results = (await Promise.all(jobs)).filter((r): r is ProbeResult => r !== null);
  const passed = results.filter((r) => r.ok).length;
  return {
    results,
    notCheckable: checkTargets.notCheckable,
    summary: { passed, failed: results.length - passed, notCheckable: checkTargets.notCheckable.length },
  };
}
