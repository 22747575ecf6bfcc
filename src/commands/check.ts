import { buildCheckTargets, renderCheckJson, renderCheckMarkdown, renderCheckText, runChecks } from '../check/index.js';
import { loadConfig } from '../config/index.js';
import { InterruptedError } from '../errors.js';
import { VERSION } from '../version.js';
import type { CommandContext } from './context.js';
import { reportProblems } from './problems.js';

/**
 * `dnsctl check`: probes the peers each zone is transferred from, over DNS. Needs the TSIG
 * secrets of the config, and nothing from Cloudflare (no token, no request to the API).
 */
export async function checkCommand(ctx: CommandContext): Promise<number> {
  const { options } = ctx;
  const loaded = await loadConfig(options.configPath, ctx.env);
  reportProblems(ctx, loaded.warnings);
  const targets = buildCheckTargets(loaded.desired, options.zone === null ? {} : { zone: options.zone });
  ctx.logger.info({ targets: targets.targets.length, notCheckable: targets.notCheckable.length }, 'check: probing');
  const report = await runChecks(targets, {
    axfr: options.axfr,
    udp: options.udp,
    timeoutMs: Math.round(options.timeoutSeconds * 1000),
    concurrency: options.concurrency,
    signal: ctx.signal,
  });
  for (const r of report.results) {
    ctx.logger.info({ zone: r.zone, peer: r.peer, probe: `${r.query}/${r.transport}`, ok: r.ok, rcode: r.rcode, tsig: r.tsig }, 'check: probe done');
  }
  if (ctx.signal.aborted) throw new InterruptedError(ctx.signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
  if (options.output === 'json') ctx.stdout.write(renderCheckJson(report, { configPath: loaded.path, version: VERSION }));
  else if (options.output === 'markdown') ctx.stdout.write(renderCheckMarkdown(report));
  else ctx.stdout.write(renderCheckText(report, ctx.style));
  return report.summary.failed === 0 ? 0 : 1;
}
