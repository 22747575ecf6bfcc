import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Result } from '../../../src/apply/types.js';
import type { Problem } from '../../../src/errors.js';
import { buildPlan } from '../../../src/plan/build.js';
import { emptyInventory } from '../../../src/plan/inventory.js';
import { desired, tsig } from '../../support/desired.js';
import {
  appendStepSummary,
  escapeData,
  escapeProperty,
  failureAnnotations,
  formatOutput,
  githubAnnotations,
  isGitHubActions,
  maskCommands,
  setOutputs,
  workspacePath,
} from '../../../src/report/github.js';

function problem(overrides: Partial<Problem>): Problem {
  return { file: 'dnsctl.yaml', line: 3, col: 5, path: 'peers[1].ip', message: 'must be an IP address', severity: 'error', ...overrides };
}

describe('isGitHubActions', () => {
  it('is on only for GITHUB_ACTIONS=true', () => {
    expect(isGitHubActions({ GITHUB_ACTIONS: 'true' })).toBe(true);
    expect(isGitHubActions({ GITHUB_ACTIONS: 'false' })).toBe(false);
    expect(isGitHubActions({})).toBe(false);
  });
});

describe('escaping', () => {
  it('escapes message data: % first, then CR and LF', () => {
    expect(escapeData('100%\r\nnext')).toBe('100%25%0D%0Anext');
    expect(escapeData('%0A')).toBe('%250A');
  });

  it('escapes property values: also : and ,', () => {
    expect(escapeProperty('a:b,c%d\ne')).toBe('a%3Ab%2Cc%25d%0Ae');
  });
});

describe('githubAnnotations', () => {
  it('places an error on file, line and column with the field path as title', () => {
    expect(githubAnnotations([problem({})])).toEqual([
      '::error file=dnsctl.yaml,line=3,col=5,title=dnsctl%3A peers[1].ip::must be an IP address',
    ]);
  });

  it('emits warnings as ::warning', () => {
    expect(githubAnnotations([problem({ severity: 'warning', message: 'unused TSIG' })])[0]).toMatch(/^::warning /);
  });

  it('leaves out line and col when the problem has no position', () => {
    expect(githubAnnotations([problem({ line: 0, col: 0, path: '', message: 'cannot read file' })])).toEqual([
      '::error file=dnsctl.yaml,title=dnsctl::cannot read file',
    ]);
  });

  it('cannot be made to emit a second command by a crafted message or path', () => {
    const [line] = githubAnnotations([
      problem({ file: 'a,b:c.yaml', path: 'peers[0].name', message: 'unknown key "x"\n::add-mask::oops 50%' }),
    ]);
    expect(line).toBe('::error file=a%2Cb%3Ac.yaml,line=3,col=5,title=dnsctl%3A peers[0].name::unknown key "x"%0A::add-mask::oops 50%25');
    expect(line!.split('\n')).toHaveLength(1);
  });

  it('keeps every problem, in order', () => {
    const lines = githubAnnotations([problem({ line: 1 }), problem({ line: 2, severity: 'warning' }), problem({ line: 9 })]);
    expect(lines.map((l) => /line=(\d+)/.exec(l)?.[1])).toEqual(['1', '2', '9']);
  });
});

describe('paths under a working-directory', () => {
  const env = { GITHUB_WORKSPACE: '/home/runner/work/repo/repo' };
  const sub = '/home/runner/work/repo/repo/dns';

  it('names a file relative to the repository root, whatever directory dnsctl ran in', () => {
    expect(workspacePath('dnsctl.yaml', env, sub)).toBe('dns/dnsctl.yaml');
    expect(workspacePath('../other/c.yaml', env, sub)).toBe('other/c.yaml');
    expect(workspacePath('/home/runner/work/repo/repo/dns/c.yaml', env, '/')).toBe('dns/c.yaml');
  });

  it('leaves the name alone outside the workspace, or without one', () => {
    expect(workspacePath('../../elsewhere.yaml', env, sub)).toBe('../../elsewhere.yaml');
    expect(workspacePath('/etc/c.yaml', env, sub)).toBe('/etc/c.yaml');
    expect(workspacePath('dnsctl.yaml', {}, sub)).toBe('dnsctl.yaml');
  });

  it('annotations carry the path from the repository root', () => {
    expect(githubAnnotations([problem({})], env, sub)).toEqual([
      '::error file=dns/dnsctl.yaml,line=3,col=5,title=dnsctl%3A peers[1].ip::must be an IP address',
    ]);
  });
});

describe('failureAnnotations', () => {
  it('annotates each failed operation with its API error; applied and skipped ones are not', () => {
    const plan = buildPlan(desired(tsig('a.', 's'), tsig('b.', 's'), tsig('c.', 's')), { resources: [] }, emptyInventory);
    const [a, b, c] = plan.operations;
    const results: Result[] = [
      { status: 'applied', op: a!, cloudflareId: '1' },
      { status: 'failed', op: b!, error: { message: 'POST tsigs: Cloudflare answered 403: no, 100%' }, cloudflareId: null },
      { status: 'skipped', op: c!, reason: 'depends on b.' },
    ];
    expect(failureAnnotations(results)).toEqual(['::error title=dnsctl apply%3A TSIG b.::create failed: POST tsigs: Cloudflare answered 403: no, 100%25']);
  });
});

describe('maskCommands', () => {
  it('masks each secret, skipping empties and duplicates', () => {
    expect(maskCommands(['s3cret', '', 's3cret', '  '])).toEqual(['::add-mask::s3cret']);
  });

  it('masks a multi-line secret line by line', () => {
    expect(maskCommands(['line-one\nline-two\r\n\nline-3'])).toEqual([
      '::add-mask::line-one',
      '::add-mask::line-two',
      '::add-mask::line-3',
    ]);
  });

  it('escapes % so the runner masks the real value', () => {
    expect(maskCommands(['a%0Ab'])).toEqual(['::add-mask::a%250Ab']);
  });
});

describe('formatOutput', () => {
  it('writes name=value for a single-line value', () => {
    expect(formatOutput('has-changes', 'true')).toBe('has-changes=true\n');
  });

  it('uses the heredoc form for a multi-line value', () => {
    expect(formatOutput('summary', 'a\nb', 'EOF_x')).toBe('summary<<EOF_x\na\nb\nEOF_x\n');
  });

  it('picks a random delimiter by default', () => {
    const out = formatOutput('summary', 'a\nb');
    expect(out).toMatch(/^summary<<(ghadelimiter_[0-9a-f-]{36})\na\nb\n\1\n$/);
  });

  it('refuses a value that contains the delimiter, and bad names', () => {
    expect(() => formatOutput('x', 'a\nEOF_x\nb', 'EOF_x')).toThrow(/delimiter/);
    expect(() => formatOutput('a=b', 'v')).toThrow(/invalid/);
    expect(() => formatOutput('a\nb', 'v')).toThrow(/invalid/);
    expect(() => formatOutput('', 'v')).toThrow(/invalid/);
  });
});

describe('files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dnsctl-gh-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends the Markdown to $GITHUB_STEP_SUMMARY, keeping what is there', () => {
    const file = join(dir, 'summary.md');
    writeFileSync(file, '# earlier step\n');
    expect(appendStepSummary({ GITHUB_STEP_SUMMARY: file }, '### dnsctl plan: no changes')).toBe(true);
    expect(appendStepSummary({ GITHUB_STEP_SUMMARY: file }, 'second\n')).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('# earlier step\n### dnsctl plan: no changes\nsecond\n');
  });

  it('writes no summary when $GITHUB_STEP_SUMMARY is unset', () => {
    expect(appendStepSummary({}, 'x')).toBe(false);
  });

  it('appends outputs to $GITHUB_OUTPUT in a form the runner parses back', () => {
    const file = join(dir, 'output');
    writeFileSync(file, 'earlier=1\n');
    expect(setOutputs({ GITHUB_OUTPUT: file }, { 'has-changes': 'true', 'report-path': '/tmp/x y/dnsctl.state.json', note: 'two\nlines' })).toBe(true);
    expect(parseGithubOutput(readFileSync(file, 'utf8'))).toEqual({
      earlier: '1',
      'has-changes': 'true',
      'report-path': '/tmp/x y/dnsctl.state.json',
      note: 'two\nlines',
    });
  });

  it('makes …-path outputs absolute, so upload-artifact finds them from any working directory', () => {
    const file = join(dir, 'output');
    writeFileSync(file, '');
    setOutputs({ GITHUB_OUTPUT: file }, { 'report-path': 'dnsctl.state.json', 'plan-hash': 'abc', 'plan-markdown-path': '' }, join(dir, 'dns'));
    expect(parseGithubOutput(readFileSync(file, 'utf8'))).toEqual({
      'report-path': join(dir, 'dns', 'dnsctl.state.json'),
      'plan-hash': 'abc',
      'plan-markdown-path': '',
    });
  });

  it('writes no outputs when $GITHUB_OUTPUT is unset', () => {
    expect(setOutputs({}, { a: 'b' })).toBe(false);
  });
});

/** The runner's reading of a GITHUB_OUTPUT file (name=value and name<<DELIM … DELIM). */
function parseGithubOutput(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value: string[] = [];
      for (i++; lines[i] !== delim; i++) {
        if (i >= lines.length) throw new Error(`unterminated ${name}`);
        value.push(lines[i]!);
      }
      out[name!] = value.join('\n');
    } else {
      const eq = line.indexOf('=');
      out[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return out;
}

describe('an unwritable $GITHUB_STEP_SUMMARY', () => {
  it('is one warning line and false, not an exception', () => {
    const folder = mkdtempSync(join(tmpdir(), 'dnsctl-summary-'));
    try {
      const warnings: string[] = [];
      // A directory where the file should be: EISDIR.
      expect(appendStepSummary({ GITHUB_STEP_SUMMARY: folder }, '### plan', (line) => warnings.push(line))).toBe(false);
      expect(warnings).toEqual([
        `dnsctl: warning: could not write the job summary to GITHUB_STEP_SUMMARY (${folder}: EISDIR); the run goes on without it`,
      ]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('an unwritable $GITHUB_OUTPUT', () => {
  it('is one warning line naming the outputs later steps will miss, and false, not an exception', () => {
    const folder = mkdtempSync(join(tmpdir(), 'dnsctl-output-'));
    try {
      const warnings: string[] = [];
      expect(setOutputs({ GITHUB_OUTPUT: folder }, { 'has-changes': 'true' }, folder, (line) => warnings.push(line))).toBe(false);
      expect(warnings).toEqual([
        `dnsctl: warning: could not write the step outputs to GITHUB_OUTPUT (${folder}: EISDIR); later steps will not see has-changes`,
      ]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
