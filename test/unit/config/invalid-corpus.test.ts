import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { ConfigError, formatProblem } from '../../../src/errors.js';
import { CORPUS_ENV, GENERATED_CASES, buildCorpus, committedFiles, readExpectations } from '../../fixtures/invalid/corpus.js';

const corpus = buildCorpus();
afterAll(corpus.cleanup);

async function problemsOf(path: string, env: Record<string, string>) {
  const error = await loadConfig(path, env).then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems;
}

describe('the invalid corpus', () => {
  it('has an expectation for every committed file and a file or generator for every expectation', () => {
    const expected = Object.keys(readExpectations()).sort();
    expect(expected).toEqual([...committedFiles(), ...GENERATED_CASES].sort());
    expect(expected.length).toBeGreaterThanOrEqual(34);
  });

  it.each(corpus.cases.map((c) => [c.name, c] as const))('%s fails with the expected problem', async (_, c) => {
    // No wall-clock bound: the bombs are defused by counts (alias expansions, nesting levels,
    // bytes read), and the expected message below proves the limit that stopped each one.
    const problems = await problemsOf(c.path, c.env);

    const errors = problems.filter((p) => p.severity === 'error');
    expect(errors).toHaveLength(1);
    const [error] = errors;
    expect(error?.message).toContain(c.expected.messageIncludes);
    expect(error?.line).toBe(c.expected.line);
    if (c.expected.col !== undefined) expect(error?.col).toBe(c.expected.col);
    expect(error?.file).toBe(c.path);

    for (const problem of problems) {
      const line = formatProblem(problem);
      expect(line).not.toMatch(/[\r\n]/);
      expect(line).not.toContain(CORPUS_ENV.TSIG_SECRET);
    }
  });
});
