import { formatProblem, type Problem } from '../errors.js';
import { githubAnnotations } from '../report/github.js';
import { isGitHubActions, type CommandContext } from './context.js';

/** Warnings go to stderr (and become annotations in GitHub Actions); they never fail a run. */
export function reportWarnings(ctx: Pick<CommandContext, 'stderr' | 'env'>, warnings: Problem[]): void {
  reportProblems(ctx, warnings);
}

export function reportProblems(ctx: Pick<CommandContext, 'stderr' | 'env'>, problems: Problem[]): void {
  for (const problem of problems) ctx.stderr.write(`${formatProblem(problem)}\n`);
  if (isGitHubActions(ctx.env)) for (const line of githubAnnotations(problems)) ctx.stderr.write(`${line}\n`);
}
