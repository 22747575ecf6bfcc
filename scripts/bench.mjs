#!/usr/bin/env node
/**
 * npm run bench: dnsctl against the bundled fake Cloudflare API on 127.0.0.1, run as a user runs
 * it (the built CLI in a child process). Prints one table per case with PASS/FAIL next to each
 * target and writes the same figures to bench-results/latest.json. Run `node scripts/bench.mjs
 * --help` for the flags. Exits 1 when a target is missed or a run fails.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startFakeCloudflare } from '../test/fake-api/server.mjs';
import { expectExit, median, now, runCli } from './bench/cli.mjs';
import { accountMismatches, seedAccount, writeBenchConfig } from './bench/config.mjs';
import { idealBudgetMs, idealDagMs, idealFreshApply, idealNoop, matchesIdeal, requestStats } from './bench/requests.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const HELP = `node scripts/bench.mjs [flags]      (npm run bench = build, then this)

  --latency MS          per-request latency injected by the fake API (default 20)
  --sizes LIST          N of the apply cases: N TSIGs + N peers (default 10,100,1000)
  --concurrency C       dnsctl --concurrency of the latency and budget cases (default 8)
  --local-objects N     objects of the validate/plan case, half TSIGs, half peers (default 10000)
  --startup-runs N      runs of dnsctl --version; the median counts (default 11)
  --skip-budget         leave out the budget case
  --budget LIMIT/WIN_S  the fake's request budget, and dnsctl's --rate, for the budget case (default 600/30)
  --budget-n N          N of the budget case (default 500: 1502 requests, 2.5 windows)
  --quick               smoke run: sizes 10,100; 1000 local objects; budget 40/5 with N 20; 5 startup runs
  --out FILE            JSON results (default bench-results/latest.json)
  -h, --help
`;

// ---------------------------------------------------------------------------------------------
// Flags

/** @param {string} name @param {string} raw */
function positiveInt(name, raw) {
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`--${name} takes a positive whole number, got "${raw}"`);
  return Number(raw);
}

function readFlags() {
  const { values } = parseArgs({
    options: {
      latency: { type: 'string' },
      sizes: { type: 'string' },
      concurrency: { type: 'string' },
      'local-objects': { type: 'string' },
      'startup-runs': { type: 'string' },
      'skip-budget': { type: 'boolean' },
      budget: { type: 'string' },
      'budget-n': { type: 'string' },
      quick: { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const budgetText = values.budget ?? (quick ? '40/5' : '600/30');
  const budgetMatch = /^(\d+)\/(\d+)$/.exec(budgetText);
  if (!budgetMatch) throw new Error(`--budget takes LIMIT/WINDOW_SECONDS, e.g. 600/30, got "${budgetText}"`);
  const latencyText = values.latency ?? '20';
  if (!/^\d+$/.test(latencyText)) throw new Error(`--latency takes whole milliseconds, got "${latencyText}"`);
  const localObjects = positiveInt('local-objects', values['local-objects'] ?? (quick ? '1000' : '10000'));
  return {
    quick,
    latencyMs: Number(latencyText),
    sizes: (values.sizes ?? (quick ? '10,100' : '10,100,1000')).split(',').map((s) => positiveInt('sizes', s.trim())),
    concurrency: positiveInt('concurrency', values.concurrency ?? '8'),
    localPairs: Math.max(1, Math.floor(localObjects / 2)),
    startupRuns: positiveInt('startup-runs', values['startup-runs'] ?? (quick ? '5' : '11')),
    skipBudget: values['skip-budget'] ?? false,
    budget: { limit: positiveInt('budget', budgetMatch[1] ?? ''), windowS: positiveInt('budget', budgetMatch[2] ?? '') },
    budgetN: positiveInt('budget-n', values['budget-n'] ?? (quick ? '20' : '500')),
    out: values.out ?? join(root, 'bench-results', 'latest.json'),
  };
}

// ---------------------------------------------------------------------------------------------
// Output

/** @param {number | null | undefined} ms */
const seconds = (ms) => (ms === null || ms === undefined ? '–' : (ms / 1000).toFixed(ms < 10_000 ? 3 : 1));
/** @param {number | null | undefined} mb */
const megabytes = (mb) => (mb === null || mb === undefined ? '–' : mb.toFixed(0));
/** @param {number} x */
const times = (x) => `${x.toFixed(2)}×`;
/** @param {{ GET: number, POST: number, PUT: number, DELETE: number }} m */
const methods = (m) => `${m.GET}/${m.POST}/${m.PUT}/${m.DELETE}`;
/** @param {boolean} ok */
const verdict = (ok) => (ok ? 'PASS' : 'FAIL');

/**
 * Prints a table; columns after the first are right-aligned.
 * @param {string} title @param {string[]} headers @param {(string | number)[][]} rows
 */
function printTable(title, headers, rows) {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (/** @type {string[]} */ r) =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('   ').trimEnd();
  console.log(`\n${title}`);
  console.log(line(headers));
  console.log(widths.map((w) => '─'.repeat(w)).join('   '));
  for (const r of cells.slice(1)) console.log(line(r));
}

/**
 * @typedef {{ name: string, measured: string, target: string, pass: boolean }} Target
 * @type {Target[]}
 */
const targets = [];
/**
 * Records a target and returns PASS or FAIL for the table.
 * @param {string} name @param {string} measured @param {string} wanted @param {boolean} pass
 */
function target(name, measured, wanted, pass) {
  targets.push({ name, measured, target: wanted, pass });
  return verdict(pass);
}

// ---------------------------------------------------------------------------------------------
// The environment dnsctl runs in

const token = `bench-${randomBytes(12).toString('hex')}`;
/** Variables of the shell that would change what is measured (CI integrations, proxies, other credentials). */
const DROPPED = /^(GITHUB_ACTIONS|GITHUB_STEP_SUMMARY|GITHUB_OUTPUT|CLOUDFLARE_.*|HTTPS?_PROXY|NO_PROXY|https?_proxy|no_proxy)$/;

/**
 * @param {import('../test/fake-api/server.mjs').FakeCloudflare} api
 * @param {Record<string, string>} secrets
 * @returns {NodeJS.ProcessEnv}
 */
function cliEnv(api, secrets) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !DROPPED.test(k)));
  return { ...base, NO_COLOR: '1', CLOUDFLARE_API_TOKEN: token, CLOUDFLARE_BASE_URL: api.url, ...secrets };
}

// ---------------------------------------------------------------------------------------------
// Cases

/**
 * A fresh apply of N TSIGs + N peers into an empty account, then the same apply again (no-op).
 * @param {ReturnType<typeof readFlags>} flags @param {string} work @param {number} n
 * @param {number | null} concurrency null: dnsctl's default (4)
 */
async function applyCase(flags, work, n, concurrency) {
  const c = concurrency ?? 4;
  const api = await startFakeCloudflare({ token, latencyMs: flags.latencyMs });
  try {
    const dir = mkdtempSync(join(work, `apply-${n}-c${c}-`));
    const config = writeBenchConfig(join(dir, 'bench.yaml'), n, api.accountId);
    const env = cliEnv(api, config.env);
    const args = ['apply', config.path, '--state', join(dir, 'bench.state.json'), '--rate', 'off'];
    if (concurrency !== null) args.push('--concurrency', String(concurrency));

    const fresh = await runCli({ root, args, env, workDir: dir });
    expectExit(fresh, 0, `fresh apply N=${n}`);
    const mismatches = accountMismatches(api, config);
    if (mismatches.length > 0) throw new Error(`fresh apply N=${n}: the account does not match the config: ${mismatches.join('; ')}`);
    const freshStats = requestStats(api.requests);
    const freshPeak = api.peakInFlight;
    api.resetStats();

    const noop = await runCli({ root, args, env, workDir: dir });
    expectExit(noop, 0, `no-op re-apply N=${n}`);
    const noopStats = requestStats(api.requests);
    const noopPeak = api.peakInFlight;

    const ideal = idealFreshApply(n);
    const idealMs = idealDagMs(n, c, flags.latencyMs);
    const floor = await floorRun(n, c, flags.latencyMs);
    return {
      n,
      concurrency: c,
      concurrencyFlag: concurrency !== null,
      latencyMs: flags.latencyMs,
      configBytes: config.bytes,
      fresh: {
        ...runFigures(fresh, freshStats),
        peakInFlight: freshPeak,
        ideal: { requests: ideal, wallMs: idealMs },
        requestsMatchIdeal: matchesIdeal(freshStats, ideal),
        wallRatio: fresh.wallMs / idealMs,
        apiSpanRatio: (freshStats.spanMs ?? 0) / idealMs,
      },
      floor: { ...floor, apiSpanRatio: (floor.apiSpanMs ?? 0) / idealMs },
      noop: {
        ...runFigures(noop, noopStats),
        peakInFlight: noopPeak,
        ideal: { requests: idealNoop(), wallMs: flags.latencyMs },
        requestsMatchIdeal: matchesIdeal(noopStats, idealNoop()),
      },
    };
  } finally {
    await api.close();
  }
}

/**
 * The floor for the same DAG: scripts/bench/floor-client.mjs (bare undici.request, same limit),
 * in its own process, against a fresh fake with the same latency.
 * @param {number} n @param {number} c @param {number} latencyMs
 */
async function floorRun(n, c, latencyMs) {
  const api = await startFakeCloudflare({ token, latencyMs });
  try {
    const child = spawn(process.execPath, [join(root, 'scripts/bench/floor-client.mjs'), api.url, api.accountId, token, String(n), String(c)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (/** @type {string} */ chunk) => (out += chunk));
    const code = await new Promise((resolve) => child.once('close', resolve));
    if (code !== 0) throw new Error(`floor client N=${n} exited ${code}`);
    /** @type {{ wallMs: number, cpuMs: number, maxRssKb: number }} */
    const figures = JSON.parse(out);
    const stats = requestStats(api.requests);
    return { clientWallMs: figures.wallMs, cpuMs: figures.cpuMs, apiSpanMs: stats.spanMs, requests: stats.total, peakInFlight: api.peakInFlight };
  } finally {
    await api.close();
  }
}

/**
 * The figures of one CLI run, with where its wall time went.
 * @param {import('./bench/cli.mjs').CliRun} run @param {import('./bench/requests.mjs').RequestStats} stats
 */
function runFigures(run, stats) {
  return {
    command: `dnsctl ${run.args.map((a) => (isAbsolute(a) ? basename(a) : a)).join(' ')}`,
    exitCode: run.exitCode,
    wallMs: run.wallMs,
    cpuMs: run.cpuMs,
    userCpuMs: run.userCpuMs,
    systemCpuMs: run.systemCpuMs,
    maxRssMb: run.maxRssMb,
    stdoutBytes: run.stdoutBytes,
    phases: {
      beforeFirstRequestMs: stats.firstStartedAt === null ? null : stats.firstStartedAt - run.startedAt,
      apiSpanMs: stats.spanMs,
      afterLastAnswerMs: stats.lastEndedAt === null ? null : run.endedAt - stats.lastEndedAt,
    },
    requests: stats,
  };
}

/** The wall-time target (≤ 1.2 × the DAG ideal) is set for N = 1000; smaller N are dominated by startup. */
const WALL_TARGET_N = 1000;

/** @param {Awaited<ReturnType<typeof applyCase>>} r */
function printApplyCase(r) {
  const { fresh, noop } = r;
  const isWallTarget = r.n >= WALL_TARGET_N && r.concurrencyFlag;
  const peakExpected = Math.min(r.concurrency, r.n);
  const wallVerdict = isWallTarget
    ? target(`apply wall ≤ 1.2 × ideal (N=${r.n}, C=${r.concurrency})`, times(fresh.wallRatio), '≤ 1.20×', fresh.wallRatio <= 1.2)
    : '(info)';
  const label = `N=${r.n}, C=${r.concurrency}${r.concurrencyFlag ? '' : ' (default)'}`;
  printTable(
    `Apply, ${label}: ${r.n} TSIGs + ${r.n} peers, latency ${r.latencyMs} ms, --rate off`,
    ['metric', 'measured', 'ideal', 'ratio', 'target'],
    [
      [
        'fresh apply: requests',
        fresh.requests.total,
        fresh.ideal.requests.total,
        times(fresh.requests.total / fresh.ideal.requests.total),
        target(`fresh apply requests = ideal (${label})`, String(fresh.requests.total), `${fresh.ideal.requests.total}, by path`, fresh.requestsMatchIdeal),
      ],
      ['  GET/POST/PUT/DELETE', methods(fresh.requests.byMethod), methods(fresh.ideal.requests.byMethod), '', ''],
      [
        'no-op re-apply: requests',
        noop.requests.total,
        noop.ideal.requests.total,
        '',
        target(`no-op re-apply requests = ideal (${label})`, String(noop.requests.total), '2 (the lists)', noop.requestsMatchIdeal),
      ],
      [
        'no-op re-apply: writes',
        noop.requests.writes,
        0,
        '',
        target(`no-op re-apply: zero writes (${label})`, String(noop.requests.writes), '0', noop.requests.writes === 0),
      ],
      ['fresh apply wall (s)', seconds(fresh.wallMs), seconds(fresh.ideal.wallMs), times(fresh.wallRatio), wallVerdict],
      ['  start → 1st request (s)', seconds(fresh.phases.beforeFirstRequestMs), '', '', ''],
      ['  API span: 1st request → last answer (s)', seconds(fresh.phases.apiSpanMs), seconds(fresh.ideal.wallMs), times(fresh.apiSpanRatio), ''],
      ['  last answer → exit (s)', seconds(fresh.phases.afterLastAnswerMs), '', '', ''],
      ['floor: bare client, same DAG: API span (s)', seconds(r.floor.apiSpanMs), seconds(fresh.ideal.wallMs), times(r.floor.apiSpanRatio), ''],
      ['no-op re-apply wall (s)', seconds(noop.wallMs), seconds(noop.ideal.wallMs), '', ''],
      [
        'peak requests in flight',
        fresh.peakInFlight,
        peakExpected,
        '',
        target(`peak in flight = C (${label})`, String(fresh.peakInFlight), String(peakExpected), fresh.peakInFlight === peakExpected),
      ],
      ['CLI CPU user+sys (s): fresh / no-op', `${seconds(fresh.cpuMs)} / ${seconds(noop.cpuMs)}`, '', '', ''],
      ['CLI peak RSS (MB): fresh / no-op', `${megabytes(fresh.maxRssMb)} / ${megabytes(noop.maxRssMb)}`, '', '', ''],
    ],
  );
}

/**
 * validate and plan of a large config with no latency: dnsctl's own overhead.
 * @param {ReturnType<typeof readFlags>} flags @param {string} work
 */
async function localCase(flags, work) {
  const runs = 3;
  const api = await startFakeCloudflare({ token, latencyMs: 0 });
  try {
    const dir = mkdtempSync(join(work, 'local-'));
    const config = writeBenchConfig(join(dir, 'bench.yaml'), flags.localPairs, api.accountId);
    seedAccount(api, config);
    const env = cliEnv(api, config.env);

    const validateRuns = [];
    for (let i = 0; i < runs; i++) {
      const run = await runCli({ root, args: ['validate', config.path], env, workDir: dir });
      expectExit(run, 0, 'validate');
      validateRuns.push(run);
    }
    const planRuns = [];
    /** @type {import('./bench/requests.mjs').RequestStats[]} */
    const planStats = [];
    for (let i = 0; i < runs; i++) {
      api.resetStats();
      const args = ['plan', config.path, '--state', join(dir, 'none.state.json'), '--detailed-exitcode'];
      const run = await runCli({ root, args, env, workDir: dir });
      expectExit(run, 0, 'plan of the seeded account (0: no changes)');
      if (!run.stdoutTail.includes(`No changes. ${2 * flags.localPairs} unchanged.`)) {
        throw new Error(`plan: expected "No changes. ${2 * flags.localPairs} unchanged.", got:\n${run.stdoutTail}`);
      }
      planRuns.push(run);
      planStats.push(requestStats(api.requests));
    }
    /** @param {import('./bench/cli.mjs').CliRun[]} rs */
    const summary = (rs) => ({
      runs: rs.length,
      wallMs: median(rs.map((r) => r.wallMs)),
      wallMsAll: rs.map((r) => r.wallMs),
      cpuMs: median(rs.map((r) => r.cpuMs ?? NaN)),
      maxRssMb: Math.max(...rs.map((r) => r.maxRssMb ?? NaN)),
    });
    const lastPlan = planStats[planStats.length - 1];
    return {
      objects: 2 * flags.localPairs,
      tsigs: flags.localPairs,
      peers: flags.localPairs,
      configBytes: config.bytes,
      validate: summary(validateRuns),
      plan: {
        ...summary(planRuns),
        requests: lastPlan,
        requestsMatchIdeal: planStats.every((s) => matchesIdeal(s, idealNoop())),
        phases: planRuns.map((run, i) => runFigures(run, /** @type {import('./bench/requests.mjs').RequestStats} */ (planStats[i])).phases),
      },
    };
  } finally {
    await api.close();
  }
}

/** @param {Awaited<ReturnType<typeof localCase>>} r */
function printLocalCase(r) {
  const full = r.objects >= 10_000;
  const gate = (/** @type {string} */ name, /** @type {string} */ m, /** @type {string} */ t, /** @type {boolean} */ ok) =>
    full ? target(name, m, t, ok) : `(${verdict(ok)} at this size)`;
  const span = r.plan.phases.map((p) => p.apiSpanMs ?? 0);
  printTable(
    `Local overhead: ${r.tsigs} TSIGs + ${r.peers} peers (${(r.configBytes / 1024).toFixed(0)} KiB of YAML), latency 0, median of ${r.validate.runs} runs`,
    ['metric', 'measured', 'target', ''],
    [
      ['validate wall (s)', seconds(r.validate.wallMs), '< 1 s', gate(`validate of ${r.objects} objects < 1 s`, `${seconds(r.validate.wallMs)} s`, '< 1 s', r.validate.wallMs < 1000)],
      ['validate CPU (s) / peak RSS (MB)', `${seconds(r.validate.cpuMs)} / ${megabytes(r.validate.maxRssMb)}`, '', ''],
      ['plan wall (s), account holds them all', seconds(r.plan.wallMs), '< 2 s', gate(`plan of ${r.objects} objects < 2 s`, `${seconds(r.plan.wallMs)} s`, '< 2 s', r.plan.wallMs < 2000)],
      ['  of which the 2 list calls (s)', seconds(median(span)), '', ''],
      ['plan peak RSS (MB)', megabytes(r.plan.maxRssMb), '< 300 MB', gate(`plan of ${r.objects} objects < 300 MB RSS`, `${megabytes(r.plan.maxRssMb)} MB`, '< 300 MB', r.plan.maxRssMb < 300)],
      ['plan CPU (s)', seconds(r.plan.cpuMs), '', ''],
      ['plan requests (GET/POST/PUT/DELETE)', methods(r.plan.requests?.byMethod ?? { GET: 0, POST: 0, PUT: 0, DELETE: 0 }), '2/0/0/0', target(`plan of ${r.objects} objects: 2 list calls`, String(r.plan.requests?.total), '2', r.plan.requestsMatchIdeal)],
    ],
  );
}

/**
 * dnsctl --version, plain `node dist/cli.js --version` (no preload), several times; interleaved
 * with `node -e 0`, Node's own start-up on this machine at the same moment, for comparison.
 * @param {ReturnType<typeof readFlags>} flags @param {string} work
 */
async function startupCase(flags, work) {
  const walls = [];
  const nodeWalls = [];
  for (let i = 0; i < flags.startupRuns + 1; i++) {
    const run = await runCli({ root, args: ['--version'], env: process.env, workDir: work, measureUsage: false });
    expectExit(run, 0, '--version');
    const bare = await nodeOnly();
    if (i === 0) continue; // the first round warms the file cache
    walls.push(run.wallMs);
    nodeWalls.push(bare);
  }
  const usage = await runCli({ root, args: ['--version'], env: process.env, workDir: work });
  return {
    runs: walls.length,
    medianMs: median(walls),
    minMs: Math.min(...walls),
    maxMs: Math.max(...walls),
    wallMsAll: walls,
    nodeOnlyMedianMs: median(nodeWalls),
    nodeOnlyWallMsAll: nodeWalls,
    maxRssMb: usage.maxRssMb,
    cpuMs: usage.cpuMs,
  };
}

/** Wall time of `node -e 0`. @returns {Promise<number>} */
function nodeOnly() {
  const started = now();
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', () => resolve(now() - started));
  });
}

/** @param {Awaited<ReturnType<typeof startupCase>>} r */
function printStartup(r) {
  printTable(`Startup: dnsctl --version, ${r.runs} runs (after one warm-up)`, ['metric', 'measured', 'target', ''], [
    ['median wall (ms)', r.medianMs.toFixed(0), '< 150 ms', target('dnsctl --version < 150 ms (median)', `${r.medianMs.toFixed(0)} ms`, '< 150 ms', r.medianMs < 150)],
    ['min / max wall (ms)', `${r.minMs.toFixed(0)} / ${r.maxMs.toFixed(0)}`, '', ''],
    ['node -e 0, same moments: median (ms)', r.nodeOnlyMedianMs.toFixed(0), '', '(info)'],
    ['CPU (ms) / peak RSS (MB)', `${r.cpuMs?.toFixed(0)} / ${megabytes(r.maxRssMb)}`, '', ''],
  ]);
}

/**
 * A fresh apply under a request budget that the fake enforces (429 + retry-after beyond it),
 * with dnsctl's pacer set to the same budget.
 * @param {ReturnType<typeof readFlags>} flags @param {string} work
 */
async function budgetCase(flags, work) {
  const { limit, windowS } = flags.budget;
  const n = flags.budgetN;
  const api = await startFakeCloudflare({ token, latencyMs: flags.latencyMs, budget: { limit, windowMs: windowS * 1000 } });
  try {
    const dir = mkdtempSync(join(work, 'budget-'));
    const config = writeBenchConfig(join(dir, 'bench.yaml'), n, api.accountId);
    const statePath = join(dir, 'bench.state.json');
    const args = ['apply', config.path, '--state', statePath, '--rate', `${limit}/${windowS}`, '--concurrency', String(flags.concurrency)];
    const run = await runCli({ root, args, env: cliEnv(api, config.env), workDir: dir });
    const stats = requestStats(api.requests);
    /** @type {{ outcome?: string, summary?: Record<string, number> }} */
    let state = {};
    try {
      state = JSON.parse(readFileSync(statePath, 'utf8'));
    } catch {
      /* no state file: reported below */
    }
    const mismatches = accountMismatches(api, config);
    const ideal = idealFreshApply(n);
    const dagMs = idealDagMs(n, flags.concurrency, flags.latencyMs);
    const idealMs = idealBudgetMs(ideal.total, limit, windowS, dagMs, flags.latencyMs);
    return {
      n,
      concurrency: flags.concurrency,
      latencyMs: flags.latencyMs,
      budget: { limit, windowS },
      rateFlag: `${limit}/${windowS}`,
      ...runFigures(run, stats),
      peakInFlight: api.peakInFlight,
      outcome: state.outcome ?? null,
      summary: state.summary ?? null,
      accountMatches: mismatches.length === 0,
      accountMismatches: mismatches,
      ideal: { requests: ideal, wallMs: idealMs, dagWallMs: dagMs },
      requestsMatchIdeal: matchesIdeal(stats, ideal, { ignore429: true }),
      share429: stats.total > 0 ? stats.status429 / stats.total : 0,
      wallRatio: run.wallMs / idealMs,
      stderrTail: run.exitCode === 0 ? undefined : run.stderrTail,
    };
  } finally {
    await api.close();
  }
}

/** @param {Awaited<ReturnType<typeof budgetCase>>} r */
function printBudget(r) {
  const failedOps = (r.summary?.failed ?? NaN) + (r.summary?.skipped ?? NaN);
  const ok = r.exitCode === 0 && failedOps === 0 && r.accountMatches;
  printTable(
    `Budget: fake enforces ${r.budget.limit} requests / ${r.budget.windowS} s (sliding window); dnsctl --rate ${r.rateFlag} --concurrency ${r.concurrency}; N=${r.n}, latency ${r.latencyMs} ms`,
    ['metric', 'measured', 'ideal', 'target'],
    [
      ['exit code / outcome', `${r.exitCode} / ${r.outcome}`, '0 / success', ''],
      ['failed + skipped operations', Number.isNaN(failedOps) ? 'no state file' : failedOps, 0, target(`budget: zero failed operations (N=${r.n})`, String(failedOps), '0, exit 0, account matches', ok)],
      ['requests sent (incl. 429s)', r.requests.total, r.ideal.requests.total, ''],
      ['requests admitted', r.requests.admitted, r.ideal.requests.total, target(`budget: admitted requests = ideal (N=${r.n})`, String(r.requests.admitted), String(r.ideal.requests.total), r.requestsMatchIdeal)],
      ['429 answers', `${r.requests.status429} (${(r.share429 * 100).toFixed(2)}%)`, '', target('budget: 429s ≤ 2% of requests', `${(r.share429 * 100).toFixed(2)}%`, '≤ 2%', r.share429 <= 0.02)],
      ['wall (s)', seconds(r.wallMs), seconds(r.ideal.wallMs), `${times(r.wallRatio)} the budget-bound ideal (info)`],
      ['  start → 1st request / API span / → exit (s)', `${seconds(r.phases.beforeFirstRequestMs)} / ${seconds(r.phases.apiSpanMs)} / ${seconds(r.phases.afterLastAnswerMs)}`, '', ''],
      ['peak requests in flight', r.peakInFlight, Math.min(r.concurrency, r.n), ''],
      ['CLI CPU (s) / peak RSS (MB)', `${seconds(r.cpuMs)} / ${megabytes(r.maxRssMb)}`, '', ''],
    ],
  );
}

// ---------------------------------------------------------------------------------------------
// The run

function machine() {
  /** @param {string[]} cmd */
  const tryRun = (cmd) => {
    try {
      return execFileSync(cmd[0] ?? '', cmd.slice(1), { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? null,
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    freeMemoryGiB: Number((os.freemem() / 2 ** 30).toFixed(1)),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    dnsctl: JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version,
    gitCommit: tryRun(['git', 'rev-parse', '--short', 'HEAD']),
    loadAverageAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

async function main() {
  let flags;
  try {
    flags = readFlags();
  } catch (err) {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}\n\n${HELP}`);
    process.exitCode = 2;
    return;
  }
  const started = now();
  const work = mkdtempSync(join(os.tmpdir(), 'dnsctl-bench-'));
  const command = `node scripts/bench.mjs ${process.argv.slice(2).join(' ')}`.trim();
  const info = machine();
  console.log(`dnsctl benchmark — ${command}`);
  console.log(`machine: ${info.cpus} CPUs (${info.cpuModel}), ${info.memoryGiB} GiB RAM, ${info.platform}, Node ${info.node}; dnsctl ${info.dnsctl} @ ${info.gitCommit}`);
  console.log(`load average at start: ${info.loadAverageAtStart.join(' ')} (other work on the machine skews every wall time)`);
  console.log(`CPU time and peak RSS of dnsctl: process.resourceUsage() at exit, via node --import scripts/bench/usage-preload.mjs`);

  /** @type {Record<string, unknown>} */
  const results = { command, startedAt: new Date().toISOString(), machine: info, flags };
  let failure = null;
  try {
    const applies = [];
    for (const n of flags.sizes) {
      const r = await applyCase(flags, work, n, flags.concurrency);
      applies.push(r);
      printApplyCase(r);
    }
    if (flags.sizes.includes(100) && flags.concurrency !== 4) {
      const r = await applyCase(flags, work, 100, null);
      applies.push(r);
      printApplyCase(r);
    }
    results.apply = applies;

    const local = await localCase(flags, work);
    results.local = local;
    printLocalCase(local);

    const startup = await startupCase(flags, work);
    results.startup = startup;
    printStartup(startup);

    if (!flags.skipBudget) {
      const budget = await budgetCase(flags, work);
      results.budget = budget;
      printBudget(budget);
    }
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
    console.error(`\nbench: a run failed: ${failure}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const totalMs = now() - started;
  results.targets = targets;
  results.allTargetsPass = failure === null && targets.every((t) => t.pass);
  results.error = failure;
  results.totalMs = totalMs;
  const loadAtEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
  results.loadAverageAtEnd = loadAtEnd;
  printTable('Targets', ['target', 'measured', 'wanted', ''], targets.map((t) => [t.name, t.measured, t.target, verdict(t.pass)]));
  mkdirSync(dirname(flags.out), { recursive: true });
  writeFileSync(flags.out, `${JSON.stringify(results, null, 2)}\n`);
  const missed = targets.filter((t) => !t.pass).length;
  console.log(
    `\n${missed === 0 && failure === null ? 'All targets met' : `${missed} target(s) missed${failure ? ', and a run failed' : ''}`}. ` +
      `Total ${(totalMs / 1000).toFixed(1)} s; load average at the end ${loadAtEnd.join(' ')}. Results: ${relative(process.cwd(), flags.out) || flags.out}`,
  );
  if (!results.allTargetsPass) process.exitCode = 1;
}

await main();
