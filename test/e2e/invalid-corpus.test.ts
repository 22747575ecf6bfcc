/**
 * The built CLI over the invalid-config corpus: `validate` and `plan` both refuse every case with
 * exit code 1 and a positioned one-line problem, before any network access (the API URL points
 * at a closed port), without a stack trace. A run that hangs is killed after 10 s and fails (no
 * exit code); speed itself is not asserted here (the machine may be busy), the limits that keep
 * each case cheap are counts, checked by the messages. Needs `npm run build` first.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCorpus } from '../fixtures/invalid/corpus.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const corpus = buildCorpus();
afterAll(corpus.cleanup);

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
});

interface Run {
  code: number | null;
  output: string;
}

function runCli(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: 10_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/**
 * `plan` loads the config with the same code as `validate` (the unit corpus test checks every case
 * in-process): one case of each family is enough to show that it stops before the network.
 */
const PLAN_CASES = new Set([
  'malformed-yaml.yaml', 'unknown-key-in-peer.yaml', 'dangling-tsig-reference.yaml', 'unset-variable.yaml',
  'too-large.yaml', 'name-control-character.yaml', 'link-mixed-tsigs.yaml', 'peer-ip-zone-index.yaml',
]);

describe.each(['validate', 'plan'])('dnsctl %s on the invalid corpus', (command) => {
  const cases = corpus.cases.filter((c) => command === 'validate' || PLAN_CASES.has(c.name));
  it('covers the cases it names', () => {
    expect(cases.length).toBe(command === 'validate' ? corpus.cases.length : PLAN_CASES.size);
  });
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const env = {
      PATH: process.env.PATH ?? '',
      ...c.env,
      CLOUDFLARE_API_TOKEN: 'x',
      CLOUDFLARE_BASE_URL: 'http://127.0.0.1:9',
    };
    const run = await runCli([command, c.path], env);

    expect(run.code, run.output).toBe(1);
    expect(run.output).toContain(c.expected.messageIncludes);
    if (c.expected.line > 0) {
      expect(run.output).toContain(`${c.path}:${c.expected.line}:${c.expected.col ?? ''}`);
    }
    expect(run.output).not.toContain('    at ');
  });
});
