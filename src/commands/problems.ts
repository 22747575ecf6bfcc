import { formatProblem, type Problem } from '../errors.js';
import { escapeText } from '../report/escape.js';
import { githubAnnotations, isGitHubActions } from '../report/github.js';
import type { CommandContext } from './context.js';

/** One line per problem on stderr, and in GitHub Actions an annotation on the file's line too. */
export function reportProblems(ctx: Pick<CommandContext, 'stderr' | 'env'>, problems: Problem[]): void {
  for (const problem of problems) ctx.stderr.write(`${escapeText(formatProblem(problem))}\n`);
  if (isGitHubActions(ctx.env)) for (const line of githubAnnotations(problems, ctx.env)) ctx.stderr.write(`${line}\n`);
}
