import { loadConfig } from '../config/index.js';
import { ConfigError, formatProblem } from '../errors.js';
import { KINDS } from '../resources/index.js';
import type { CommandContext } from './context.js';
import { reportProblems } from './problems.js';

/** `dnsctl validate`: offline checks only. Problems surface as a ConfigError thrown by loadConfig. */
export async function validateCommand(ctx: CommandContext): Promise<number> {
  const loaded = await loadConfig(ctx.options.configPath, ctx.env, { allowUnsetVariables: ctx.options.allowUnsetEnv }).catch((err: unknown) => {
    // JSON consumers get the problems on stdout too; the CLI still prints them on stderr and exits 1.
    if (err instanceof ConfigError && ctx.options.output === 'json') {
      ctx.stdout.write(`${JSON.stringify({ valid: false, config: { path: ctx.options.configPath }, problems: err.problems }, null, 2)}\n`);
    }
    throw err;
  });
  reportProblems(ctx, loaded.warnings);
  const counts = [
    ...KINDS.map((spec) => ({
      kind: spec.configKey,
      label: spec.scope === 'account' ? spec.configKey : `${spec.configKey} links`,
      count: loaded.desired.resources.filter((r) => r.kind === spec.kind).length,
    })),
    { kind: 'zones', label: 'zones', count: loaded.desired.zones?.length ?? 0 },
  ];
  if (ctx.options.output === 'json') {
    ctx.stdout.write(
      `${JSON.stringify({ valid: true, config: { path: loaded.path, sha256: loaded.sha256 }, account_id: loaded.desired.accountId, counts: Object.fromEntries(counts.map((c) => [c.kind, c.count])), warnings: loaded.warnings.map(formatProblem) }, null, 2)}\n`,
    );
  } else {
    const declared = counts.filter((c) => c.count > 0);
    const summary = declared.length > 0 ? declared.map((c) => `${c.count} ${c.label}`).join(', ') : 'it declares nothing yet';
    ctx.stdout.write(`${ctx.style.green('✓')} ${loaded.path} is valid: ${summary}.\n`);
  }
  return 0;
}
