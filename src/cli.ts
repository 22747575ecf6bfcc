#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, DnsctlError, type Problem } from './errors.js';
import { HELP, parseCliArgs, type CliOptions, type Command } from './cli/options.js';
import type { CommandContext } from './commands/context.js';
import { escapeText } from './report/escape.js';
import { styleFor } from './report/style.js';
import { VERSION } from './version.js';

type Signal = 'SIGINT' | 'SIGTERM';

/**
 * argv → command → exit code. The one place that turns errors into messages and exit codes.
 * Commands are imported lazily so `--version` and `--help` load almost nothing.
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const stdout = process.stdout;
  const stderr = process.stderr;
  let logLevel = 'warn';
  let running: CliOptions | null = null;
  try {
    const parsed = parseCliArgs(argv);
    if (parsed.kind === 'version') {
      stdout.write(`${VERSION}\n`);
      return 0;
    }
    if (parsed.kind === 'help') {
      (parsed.asked ? stdout : stderr).write(HELP[parsed.command ?? 'main']);
      return parsed.asked ? 0 : 1;
    }
    const { options } = parsed;
    logLevel = options.logLevel;
    running = options;
    const interrupts = trapInterrupts(stderr);
    const ctx: CommandContext = {
      options,
      stdout,
      stderr,
      env,
      logger: (await import('./log.js')).createLogger(options.logLevel),
      style: styleFor(stdout, env),
      signal: interrupts.signal,
      cleanups: [],
    };
    try {
      return await runCommand(options.command, ctx);
    } finally {
      interrupts.release();
      await Promise.allSettled(ctx.cleanups.map((cleanup) => cleanup()));
    }
  } catch (err) {
    const exitCode = await reportError(err, stderr, env, logLevel);
    if (running) await reportFailureForReview(err, running, stdout, stderr, env);
    return exitCode;
  }
}

/**
 * A failed run still leaves its reviewers the reason: the Markdown output (the pull-request
 * comment) and the job summary hold the error, and in Actions an error that is not a config
 * problem (those are annotated on their lines already) becomes an annotation too.
 */
async function reportFailureForReview(err: unknown, options: CliOptions, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream, env: NodeJS.ProcessEnv) {
  const github = await import('./report/github.js');
  const inActions = github.isGitHubActions(env);
  if (options.output !== 'markdown' && !inActions) return;
  const { renderFailureMarkdown } = await import('./report/markdown.js');
  const markdown = renderFailureMarkdown(err, { command: options.command, configPath: options.configPath, version: VERSION }, (file) =>
    inActions ? github.workspacePath(file, env) : file,
  );
  if (options.output === 'markdown') stdout.write(markdown);
  if (!inActions) return;
  github.appendStepSummary(env, markdown);
  if (!(err instanceof ConfigError)) {
    const message = err instanceof Error ? err.message : String(err);
    stderr.write(`${github.workflowCommand('error', { title: `dnsctl ${options.command}` }, message)}\n`);
  }
}

async function runCommand(command: Command, ctx: CommandContext): Promise<number> {
  switch (command) {
    case 'validate':
      return (await import('./commands/validate.js')).validateCommand(ctx);
    case 'plan':
      return (await import('./commands/plan.js')).planCommand(ctx);
    case 'apply':
      return (await import('./commands/apply.js')).applyCommand(ctx);
    case 'import':
      return (await import('./commands/import.js')).importCommand(ctx);
    case 'check':
      return (await import('./commands/check.js')).checkCommand(ctx);
  }
}

/** First SIGINT/SIGTERM: stop starting work and finish cleanly. A second one: leave at once. */
function trapInterrupts(stderr: NodeJS.WritableStream): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const onSignal = (sig: Signal) => {
    if (controller.signal.aborted) {
      stderr.write(`${sig} again: exiting without waiting.\n`);
      process.exit(sig === 'SIGINT' ? 130 : 143);
    }
    stderr.write(`${sig} received: no new operations will start; waiting for those in flight, then writing the report.\n`);
    controller.abort(sig);
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    release() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}

async function reportError(err: unknown, stderr: NodeJS.WritableStream, env: NodeJS.ProcessEnv, logLevel: string): Promise<number> {
  if (err instanceof ConfigError) {
    const problems: Problem[] = [...err.problems].sort((a, b) => a.line - b.line || a.col - b.col);
    (await import('./commands/problems.js')).reportProblems({ stderr, env }, problems);
    const errors = problems.filter((p) => p.severity === 'error').length;
    stderr.write(`dnsctl: ${errors} problem${errors === 1 ? '' : 's'} in the config; nothing was changed.\n`);
    return err.exitCode;
  }
  if (err instanceof DnsctlError) {
    // Messages may quote the account's names and answers: no raw control character reaches the terminal.
    stderr.write(`dnsctl: error: ${escapeText(err.message)}\n`);
    return err.exitCode;
  }
  const detail = logLevel === 'debug' || logLevel === 'trace' ? `\n${(err as Error)?.stack ?? ''}` : ' (run with --log-level debug for details)';
  stderr.write(`dnsctl: internal error: ${(err as Error)?.message ?? String(err)}${detail}\n`);
  return 1;
}

function isEntryPoint(): boolean {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
