#!/usr/bin/env node
/**
 * npm run bench: dnsctl against the bundled fake Cloudflare API on 127.0.0.1, run as a user runs
 * it (the built CLI in a child process). Prints one table per case with PASS/FAIL next to each
 * target and writes the same figures to bench-results/latest.json. Run `node scripts/bench.mjs
 * --help` for the flags. Exits 1 when a target is missed or a run fails.
 *
 * Honest on a noisy machine: every case runs several rounds and reports medians; each round runs
 * dnsctl and its floor (a bare client doing the same requests, or `yaml.parse` of the same file)
 * back to back, in alternating order, so both see the same load; targets are ratios to the floor
 * or to an ideal, not absolute times; the load average is recorded with every round.
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
import { LISTS, idealBudgetMs, idealDagMs, idealFreshApply, idealNoop, matchesIdeal, requestStats } from './bench/requests.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const HELP = `node scripts/bench.mjs [flags]      (npm run bench = build, then this)

  --latency MS          per-request latency injected by the fake API (default 20)
  --sizes LIST          N of the apply cases: N TSIGs + N peers (default 10,100,1000)
  --concurrency C       dnsctl --concurrency of the latency and budget cases (default 8)
  --local-objects N     objects of the validate/plan case, half TSIGs, half peers (default 10000)
  --startup-runs N      runs of dnsctl --version; the median counts (default 11)
  --runs N              rounds of each case (dnsctl and its floor, interleaved); medians count (default 3)
  --post-n N            N of the full-body POST case (default 100)
  --skip-budget         leave out the budget case
  --budget LIMIT/WIN_S  the fake's request budget, and dnsctl's --rate, for the budget case (default 100/10)
  --budget-n N          N of the budget case (default 100: 302 requests, 3 windows after the first burst)
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
      runs: { type: 'string' },
      'post-n': { type: 'string' },
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
  const budgetText = values.budget ?? (quick ? '40/5' : '100/10');
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
    runs: positiveInt('runs', values.runs ?? '3'),
    postN: positiveInt('post-n', values['post-n'] ?? (quick ? '10' : '100')),
    skipBudget: values['skip-budget'] ?? false,
    budget: { limit: positiveInt('budget', budgetMatch[1] ?? ''), windowS: positiveInt('budget', budgetMatch[2] ?? '') },
    budgetN: positiveInt('budget-n', values['budget-n'] ?? (quick ? '20' : '100')),
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

/** dnsctl's default --concurrency (src/cli/options.ts). */
const DEFAULT_CONCURRENCY = 8;

/** The first 1-minute load average, rounded: recorded with every round. */
const load1 = () => Number((os.loadavg()[0] ?? 0).toFixed(2));

/**
 * Runs `rounds` rounds of the named runners, alternating which goes first, and collects each
 * runner's results with the load average at the start of the round.
 * @template {Record<string, () => Promise<any>>} R
 * @param {number} rounds @param {R} runners
 * @returns {Promise<Array<{ [K in keyof R]: Awaited<ReturnType<R[K]>> } & { load: number }>>}
 */
async function interleaved(rounds, runners) {
  const names = Object.keys(runners);
  const out = [];
  for (let i = 0; i < rounds; i++) {
    /** @type {Record<string, unknown>} */
    const round = { load: load1() };
    for (const name of i % 2 === 0 ? names : [...names].reverse()) round[name] = await runners[name]?.();
    out.push(round);
  }
  return /** @type {any} */ (out);
}

/**
 * The fake's options for a case. `peerPost` asks the fake to keep a peer's whole POST body
 * ('full-body') or only its name ('name-only', Cloudflare's recorded behaviour). A fake that does
 * not know the option ignores it and keeps only the name.
 * @param {number} latencyMs @param {import('./bench/requests.mjs').PeerPost} peerPost
 * @param {{ limit: number, windowMs: number }} [budget]
 */
function fakeOptions(latencyMs, peerPost, budget) {
  const options = { token, latencyMs, peerPost, ...(budget ? { budget } : {}) };
  return options;
}

/**
 * One fresh apply of N TSIGs + N peers into an empty account (its own fake); with `noop`, then
 * the same apply again (nothing to do).
 * @param {ReturnType<typeof readFlags>} flags @param {string} work @param {number} n
 * @param {number | null} concurrency null: dnsctl's default
 * @param {import('./bench/requests.mjs').PeerPost} peerPost @param {boolean} noop
 */
async function dnsctlApply(flags, work, n, concurrency, peerPost, noop) {
  const api = await startFakeCloudflare(fakeOptions(flags.latencyMs, peerPost));
  try {
    const dir = mkdtempSync(join(work, `apply-${n}-`));
    const config = writeBenchConfig(join(dir, 'bench.yaml'), n, api.accountId);
    const env = cliEnv(api, config.env);
    const args = ['apply', config.path, '--state', join(dir, 'bench.state.json'), '--rate', 'off'];
    if (concurrency !== null) args.push('--concurrency', String(concurrency));

    const fresh = await runCli({ root, args, env, workDir: dir });
    expectExit(fresh, 0, `fresh apply N=${n}`);
    const mismatches = accountMismatches(api, config);
    if (mismatches.length > 0) throw new Error(`fresh apply N=${n}: the account does not match the config: ${mismatches.join('; ')}`);
    const stats = requestStats(api.requests);
    const figures = { ...runFigures(fresh, stats), peakInFlight: api.peakInFlight };
    if (!noop) return { fresh: figures, noop: null };

    api.resetStats();
    const again = await runCli({ root, args, env, workDir: dir });
    expectExit(again, 0, `no-op re-apply N=${n}`);
    return { fresh: figures, noop: { ...runFigures(again, requestStats(api.requests)), peakInFlight: api.peakInFlight } };
  } finally {
    await api.close();
  }
}

/**
 * A fresh apply, `flags.runs` rounds, each dnsctl run next to a run of the floor client (the same
 * DAG by a bare client, scripts/bench/floor-client.mjs), in alternating order.
 * @param {ReturnType<typeof readFlags>} flags @param {string} work @param {number} n
 * @param {{ concurrency: number | null, peerPost?: import('./bench/requests.mjs').PeerPost }} options
 */
async function applyCase(flags, work, n, { concurrency, peerPost = 'name-only' }) {
  const c = concurrency ?? DEFAULT_CONCURRENCY;
  let round = 0;
  const rounds = await interleaved(flags.runs, {
    dnsctl: () => dnsctlApply(flags, work, n, concurrency, peerPost, round++ === 0),
    floor: () => floorRun(n, c, flags.latencyMs, peerPost),
  });
  const runs = rounds.map((r) => r.dnsctl.fresh);
  const floors = rounds.map((r) => r.floor);
  const noop = rounds[0]?.dnsctl.noop ?? null;
  const ideal = idealFreshApply(n, peerPost);
  const idealMs = idealDagMs(n, c, flags.latencyMs, peerPost);
  const mid = (/** @type {(number | null)[]} */ xs) => median(xs.map((x) => x ?? NaN));
  const wallMs = mid(runs.map((r) => r.wallMs));
  const apiSpanMs = mid(runs.map((r) => r.phases.apiSpanMs));
  const floorSpanMs = mid(floors.map((f) => f.apiSpanMs));
  return {
    n,
    concurrency: c,
    concurrencyFlag: concurrency !== null,
    peerPost,
    latencyMs: flags.latencyMs,
    runs: runs.length,
    load: rounds.map((r) => r.load),
    fresh: {
      command: runs[0]?.command,
      wallMs,
      wallMsAll: runs.map((r) => r.wallMs),
      cpuMs: mid(runs.map((r) => r.cpuMs)),
      maxRssMb: Math.max(...runs.map((r) => r.maxRssMb ?? NaN)),
      beforeFirstRequestMs: mid(runs.map((r) => r.phases.beforeFirstRequestMs)),
      apiSpanMs,
      afterLastAnswerMs: mid(runs.map((r) => r.phases.afterLastAnswerMs)),
      requests: runs[0]?.requests,
      peakInFlight: Math.max(...runs.map((r) => r.peakInFlight)),
      ideal: { requests: ideal, wallMs: idealMs },
      requestsMatchIdeal: runs.every((r) => matchesIdeal(r.requests, ideal)),
      wallRatio: wallMs / idealMs,
      apiSpanRatio: apiSpanMs / idealMs,
      apiSpanToFloor: apiSpanMs / floorSpanMs,
    },
    floor: {
      apiSpanMs: floorSpanMs,
      apiSpanMsAll: floors.map((f) => f.apiSpanMs),
      cpuMs: mid(floors.map((f) => f.cpuMs)),
      requests: floors[0]?.requests,
      apiSpanRatio: floorSpanMs / idealMs,
    },
    noop: noop && {
      ...noop,
      ideal: { requests: idealNoop(), wallMs: flags.latencyMs },
      requestsMatchIdeal: matchesIdeal(noop.requests, idealNoop()),
    },
  };
}

/**
 * The floor for the same DAG: scripts/bench/floor-client.mjs (bare undici.request, same limit),
 * in its own process, against a fresh fake with the same latency.
 * @param {number} n @param {number} c @param {number} latencyMs @param {import('./bench/requests.mjs').PeerPost} peerPost
 */
async function floorRun(n, c, latencyMs, peerPost) {
  const api = await startFakeCloudflare(fakeOptions(latencyMs, peerPost));
  try {
    const args = [join(root, 'scripts/bench/floor-client.mjs'), api.url, api.accountId, token, String(n), String(c), peerPost];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
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

/** The API-span target (≤ 1.25 × the floor client's) is set for N = 1000; smaller N are dominated by startup. */
const SPAN_TARGET_N = 1000;

/** @param {Awaited<ReturnType<typeof applyCase>>} r */
function printApplyCase(r) {
  const { fresh, noop } = r;
  const isSpanTarget = r.n >= SPAN_TARGET_N && r.concurrencyFlag && r.peerPost === 'name-only';
  const peakExpected = Math.min(r.concurrency, r.n);
  const label = `N=${r.n}, C=${r.concurrency}${r.concurrencyFlag ? '' : ' (default)'}${r.peerPost === 'full-body' ? ', full-body POST' : ''}`;
  const spanVerdict = isSpanTarget
    ? target(`apply API span ≤ 1.25 × the floor client's (${label})`, times(fresh.apiSpanToFloor), '≤ 1.25×', fresh.apiSpanToFloor <= 1.25)
    : '(info)';
  const requestsNote =
    r.peerPost === 'full-body' && !fresh.requestsMatchIdeal && fresh.requests?.byMethod.PUT === r.n
      ? ' (this fake keeps only the name: a PUT still follows each POST)'
      : '';
  const rows = [
    [
      'fresh apply: requests',
      fresh.requests?.total ?? '–',
      fresh.ideal.requests.total,
      times((fresh.requests?.total ?? NaN) / fresh.ideal.requests.total),
      target(`fresh apply requests = ideal (${label})${requestsNote}`, String(fresh.requests?.total), `${fresh.ideal.requests.total}, by path`, fresh.requestsMatchIdeal),
    ],
    ['  GET/POST/PUT/DELETE', fresh.requests ? methods(fresh.requests.byMethod) : '–', methods(fresh.ideal.requests.byMethod), '', ''],
  ];
  if (noop) {
    rows.push(
      [
        'no-op re-apply: requests',
        noop.requests.total,
        noop.ideal.requests.total,
        '',
        target(`no-op re-apply requests = ideal (${label})`, String(noop.requests.total), `${LISTS} (the lists)`, noop.requestsMatchIdeal),
      ],
      [
        'no-op re-apply: writes',
        noop.requests.writes,
        0,
        '',
        target(`no-op re-apply: zero writes (${label})`, String(noop.requests.writes), '0', noop.requests.writes === 0),
      ],
    );
  }
  rows.push(
    ['fresh apply wall (s), median', seconds(fresh.wallMs), seconds(fresh.ideal.wallMs), times(fresh.wallRatio), '(info: to the DAG ideal)'],
    ['  start → 1st request (s)', seconds(fresh.beforeFirstRequestMs), '', '', ''],
    ['  API span: 1st request → last answer (s)', seconds(fresh.apiSpanMs), seconds(fresh.ideal.wallMs), times(fresh.apiSpanRatio), ''],
    ['  last answer → exit (s)', seconds(fresh.afterLastAnswerMs), '', '', ''],
    ['floor client, same DAG, same moments: API span (s)', seconds(r.floor.apiSpanMs), seconds(fresh.ideal.wallMs), times(r.floor.apiSpanRatio), ''],
    ['dnsctl API span / floor API span', times(fresh.apiSpanToFloor), '1.00×', '', spanVerdict],
    ['peak requests in flight', fresh.peakInFlight, peakExpected, '', target(`peak in flight = C (${label})`, String(fresh.peakInFlight), String(peakExpected), fresh.peakInFlight === peakExpected)],
    ['CLI CPU user+sys (s): fresh / floor', `${seconds(fresh.cpuMs)} / ${seconds(r.floor.cpuMs)}`, '', '', ''],
    ['CLI peak RSS (MB)', megabytes(fresh.maxRssMb), '', '', ''],
  );
  if (noop) rows.push(['no-op re-apply wall (s)', seconds(noop.wallMs), seconds(noop.ideal.wallMs), '', '']);
  printTable(
    `Apply, ${label}: ${r.n} TSIGs + ${r.n} peers, latency ${r.latencyMs} ms, --rate off; median of ${r.runs} rounds (load ${r.load.join(', ')})`,
    ['metric', 'measured', 'ideal', 'ratio', 'target'],
    rows,
  );
}

/**
 * validate and plan of a large config with no latency: dnsctl's own overhead. Each validate runs
 * next to its floor, a process that only `yaml.parse`s the same file (scripts/bench/yaml-floor.mjs).
 * @param {ReturnType<typeof readFlags>} flags @param {string} work
 */
async function localCase(flags, work) {
  const api = await startFakeCloudflare({ token, latencyMs: 0 });
  try {
    const dir = mkdtempSync(join(work, 'local-'));
    const config = writeBenchConfig(join(dir, 'bench.yaml'), flags.localPairs, api.accountId);
    seedAccount(api, config);
    const env = cliEnv(api, config.env);

    const planArgs = ['plan', config.path, '--state', join(dir, 'none.state.json'), '--detailed-exitcode'];
    const rounds = await interleaved(flags.runs, {
      validate: async () => {
        const run = await runCli({ root, args: ['validate', config.path], env, workDir: dir });
        expectExit(run, 0, 'validate');
        return run;
      },
      plan: async () => {
        api.resetStats();
        const run = await runCli({ root, args: planArgs, env, workDir: dir });
        expectExit(run, 0, 'plan of the seeded account (0: no changes)');
        if (!run.stdoutTail.includes(`No changes. ${2 * flags.localPairs} unchanged.`)) {
          throw new Error(`plan: expected "No changes. ${2 * flags.localPairs} unchanged.", got:\n${run.stdoutTail}`);
        }
        return { run, stats: requestStats(api.requests) };
      },
      yamlParse: () => yamlFloorRun(config.path),
    });
    const planRuns = rounds.map((r) => r.plan.run);
    const planStats = rounds.map((r) => r.plan.stats);
    /** @param {import('./bench/cli.mjs').CliRun[]} rs */
    const summary = (rs) => ({
      runs: rs.length,
      wallMs: median(rs.map((r) => r.wallMs)),
      wallMsAll: rs.map((r) => r.wallMs),
      cpuMs: median(rs.map((r) => r.cpuMs ?? NaN)),
      maxRssMb: Math.max(...rs.map((r) => r.maxRssMb ?? NaN)),
    });
    const validate = summary(rounds.map((r) => r.validate));
    const yamlWallMs = median(rounds.map((r) => r.yamlParse.wallMs));
    const lastPlan = planStats[planStats.length - 1];
    return {
      objects: 2 * flags.localPairs,
      tsigs: flags.localPairs,
      peers: flags.localPairs,
      configBytes: config.bytes,
      load: rounds.map((r) => r.load),
      validate: { ...validate, toYamlParse: validate.wallMs / yamlWallMs },
      yamlParse: {
        wallMs: yamlWallMs,
        wallMsAll: rounds.map((r) => r.yamlParse.wallMs),
        parseMs: median(rounds.map((r) => r.yamlParse.parseMs)),
      },
      plan: {
        ...summary(planRuns),
        toYamlParse: median(planRuns.map((run) => run.wallMs)) / yamlWallMs,
        requests: lastPlan,
        requestsMatchIdeal: planStats.every((s) => matchesIdeal(s, idealNoop())),
        phases: planRuns.map((run, i) => runFigures(run, /** @type {import('./bench/requests.mjs').RequestStats} */ (planStats[i])).phases),
      },
    };
  } finally {
    await api.close();
  }
}

/**
 * `node scripts/bench/yaml-floor.mjs FILE`: wall time from spawn to exit, and the parse alone.
 * @param {string} file @returns {Promise<{ wallMs: number, parseMs: number }>}
 */
function yamlFloorRun(file) {
  const started = now();
  const child = spawn(process.execPath, [join(root, 'scripts/bench/yaml-floor.mjs'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (/** @type {string} */ chunk) => (out += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`yaml-floor exited ${code}`));
      resolve({ wallMs: now() - started, parseMs: JSON.parse(out).parseMs });
    });
  });
}

/** @param {Awaited<ReturnType<typeof localCase>>} r */
function printLocalCase(r) {
  const full = r.objects >= 10_000;
  const gate = (/** @type {string} */ name, /** @type {string} */ m, /** @type {string} */ t, /** @type {boolean} */ ok) =>
    full ? target(name, m, t, ok) : `(${verdict(ok)} at this size)`;
  const span = r.plan.phases.map((p) => p.apiSpanMs ?? 0);
  printTable(
    `Local overhead: ${r.tsigs} TSIGs + ${r.peers} peers (${(r.configBytes / 1024).toFixed(0)} KiB of YAML), latency 0, median of ${r.validate.runs} rounds (load ${r.load.join(', ')})`,
    ['metric', 'measured', 'target', ''],
    [
      // Targets in the floor's units (1 s and 2 s for the 0.65 s a node + yaml.parse process takes
      // idle on the reference machine), so that load on the machine moves both sides alike.
      ['validate wall (s)', seconds(r.validate.wallMs), '', '(info)'],
      ['floor: node + yaml.parse of the file, same moments (s)', seconds(r.yamlParse.wallMs), '', `(parse alone ${seconds(r.yamlParse.parseMs)} s)`],
      ['validate / yaml.parse process', times(r.validate.toYamlParse), '≤ 1.5×', gate(`validate of ${r.objects} objects ≤ 1.5 × node + yaml.parse`, times(r.validate.toYamlParse), '≤ 1.5×', r.validate.toYamlParse <= 1.5)],
      ['validate CPU (s) / peak RSS (MB)', `${seconds(r.validate.cpuMs)} / ${megabytes(r.validate.maxRssMb)}`, '', ''],
      ['plan wall (s), account holds them all', seconds(r.plan.wallMs), '', '(info)'],
      ['plan / yaml.parse process', times(r.plan.toYamlParse), '≤ 3×', gate(`plan of ${r.objects} objects ≤ 3 × node + yaml.parse`, times(r.plan.toYamlParse), '≤ 3×', r.plan.toYamlParse <= 3)],
      [`  of which the ${LISTS} list calls (s)`, seconds(median(span)), '', ''],
      ['plan peak RSS (MB)', megabytes(r.plan.maxRssMb), '< 300 MB', gate(`plan of ${r.objects} objects < 300 MB RSS`, `${megabytes(r.plan.maxRssMb)} MB`, '< 300 MB', r.plan.maxRssMb < 300)],
      ['plan CPU (s)', seconds(r.plan.cpuMs), '', ''],
      ['plan requests (GET/POST/PUT/DELETE)', methods(r.plan.requests?.byMethod ?? { GET: 0, POST: 0, PUT: 0, DELETE: 0 }), `${LISTS}/0/0/0`, target(`plan of ${r.objects} objects: ${LISTS} list calls`, String(r.plan.requests?.total), String(LISTS), r.plan.requestsMatchIdeal)],
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
    ['median wall (ms)', r.medianMs.toFixed(0), '', '(info)'],
    ['min / max wall (ms)', `${r.minMs.toFixed(0)} / ${r.maxMs.toFixed(0)}`, '', ''],
    ['node -e 0, same moments: median (ms)', r.nodeOnlyMedianMs.toFixed(0), '', ''],
    // 150 ms for Node's own 79 ms on the reference machine, idle.
    ['--version / node -e 0', times(r.medianMs / r.nodeOnlyMedianMs), '≤ 1.9×', target('dnsctl --version ≤ 1.9 × node -e 0 (medians)', times(r.medianMs / r.nodeOnlyMedianMs), '≤ 1.9×', r.medianMs / r.nodeOnlyMedianMs <= 1.9)],
    ['CPU (ms) / peak RSS (MB)', `${r.cpuMs?.toFixed(0)} / ${megabytes(r.maxRssMb)}`, '', ''],
  ]);
}

/**
 * A fresh apply under a request budget that the fake enforces (429 + retry-after beyond it), with
 * dnsctl's pacer set to the same budget: budget-bound, so the ideal is the budget's (a first
 * burst, then `limit` more each time the window moves on). `flags.runs` runs; medians count.
 * @param {ReturnType<typeof readFlags>} flags @param {string} work
 */
async function budgetCase(flags, work) {
  const runs = [];
  for (let i = 0; i < flags.runs; i++) runs.push({ load: load1(), ...(await budgetRun(flags, work)) });
  const { limit, windowS } = flags.budget;
  const n = flags.budgetN;
  const ideal = idealFreshApply(n);
  const dagMs = idealDagMs(n, flags.concurrency, flags.latencyMs);
  const idealMs = idealBudgetMs(ideal.total, limit, windowS, dagMs, flags.latencyMs);
  const wallMs = median(runs.map((r) => r.wallMs));
  const apiSpanMs = median(runs.map((r) => r.phases.apiSpanMs ?? NaN));
  const sent = runs.reduce((sum, r) => sum + r.requests.total, 0);
  const refused = runs.reduce((sum, r) => sum + r.requests.status429, 0);
  return {
    n,
    concurrency: flags.concurrency,
    latencyMs: flags.latencyMs,
    budget: { limit, windowS },
    rateFlag: `${limit}/${windowS}`,
    runs: runs.length,
    load: runs.map((r) => r.load),
    exitCodes: runs.map((r) => r.exitCode),
    outcomes: runs.map((r) => r.outcome),
    failedOps: runs.map((r) => (r.summary ? r.summary.failed + r.summary.skipped : NaN)),
    accountMatches: runs.every((r) => r.accountMatches),
    accountMismatches: runs.flatMap((r) => r.accountMismatches),
    requests: runs[0]?.requests,
    requestsMatchIdeal: runs.every((r) => matchesIdeal(r.requests, ideal, { ignore429: true })),
    status429: refused,
    share429: sent > 0 ? refused / sent : 0,
    wallMs,
    wallMsAll: runs.map((r) => r.wallMs),
    apiSpanMs,
    beforeFirstRequestMs: median(runs.map((r) => r.phases.beforeFirstRequestMs ?? NaN)),
    cpuMs: median(runs.map((r) => r.cpuMs ?? NaN)),
    maxRssMb: Math.max(...runs.map((r) => r.maxRssMb ?? NaN)),
    peakInFlight: Math.max(...runs.map((r) => r.peakInFlight)),
    ideal: { requests: ideal, wallMs: idealMs, dagWallMs: dagMs },
    wallRatio: wallMs / idealMs,
    apiSpanRatio: apiSpanMs / idealMs,
    stderrTail: runs.find((r) => r.exitCode !== 0)?.stderrTail,
  };
}

/** @param {ReturnType<typeof readFlags>} flags @param {string} work */
async function budgetRun(flags, work) {
  const { limit, windowS } = flags.budget;
  const n = flags.budgetN;
  const api = await startFakeCloudflare(fakeOptions(flags.latencyMs, 'name-only', { limit, windowMs: windowS * 1000 }));
  try {
    const dir = mkdtempSync(join(work, 'budget-'));
    const config = writeBenchConfig(join(dir, 'bench.yaml'), n, api.accountId);
    const statePath = join(dir, 'bench.state.json');
    const args = ['apply', config.path, '--state', statePath, '--rate', `${limit}/${windowS}`, '--concurrency', String(flags.concurrency)];
    const run = await runCli({ root, args, env: cliEnv(api, config.env), workDir: dir });
    const stats = requestStats(api.requests);
    /** @type {{ outcome?: string, summary?: { failed: number, skipped: number } }} */
    let state = {};
    try {
      state = JSON.parse(readFileSync(statePath, 'utf8'));
    } catch {
      /* no state file: reported below */
    }
    const mismatches = accountMismatches(api, config);
    return {
      ...runFigures(run, stats),
      stderrTail: run.stderrTail,
      peakInFlight: api.peakInFlight,
      outcome: state.outcome ?? null,
      summary: state.summary ?? null,
      accountMatches: mismatches.length === 0,
      accountMismatches: mismatches,
    };
  } finally {
    await api.close();
  }
}

/** @param {Awaited<ReturnType<typeof budgetCase>>} r */
function printBudget(r) {
  const failedOps = r.failedOps.reduce((a, b) => a + b, 0);
  const ok = r.exitCodes.every((c) => c === 0) && failedOps === 0 && r.accountMatches;
  printTable(
    `Budget: fake enforces ${r.budget.limit} requests / ${r.budget.windowS} s (sliding window); dnsctl --rate ${r.rateFlag} --concurrency ${r.concurrency}; N=${r.n}, latency ${r.latencyMs} ms; median of ${r.runs} runs (load ${r.load.join(', ')})`,
    ['metric', 'measured', 'ideal', 'target'],
    [
      ['exit codes / outcomes', `${r.exitCodes.join(',')} / ${r.outcomes.join(',')}`, '0 / success', ''],
      ['failed + skipped operations (all runs)', Number.isNaN(failedOps) ? 'no state file' : failedOps, 0, target(`budget: zero failed operations (N=${r.n})`, String(failedOps), '0, exit 0, account matches', ok)],
      ['requests sent (incl. 429s), first run', r.requests?.total ?? '–', r.ideal.requests.total, ''],
      ['requests admitted, first run', r.requests?.admitted ?? '–', r.ideal.requests.total, target(`budget: admitted requests = ideal (N=${r.n})`, String(r.requests?.admitted), String(r.ideal.requests.total), r.requestsMatchIdeal)],
      ['429 answers (all runs)', `${r.status429} (${(r.share429 * 100).toFixed(2)}%)`, '0', target('budget: 429s ≤ 1% of requests', `${(r.share429 * 100).toFixed(2)}%`, '≤ 1%', r.share429 <= 0.01)],
      ['API span: 1st request → last answer (s), median', seconds(r.apiSpanMs), seconds(r.ideal.wallMs), target('budget-bound apply: API span ≤ 1.05 × the budget ideal', times(r.apiSpanRatio), '≤ 1.05×', r.apiSpanRatio <= 1.05)],
      ['wall (s), median; start → 1st request (s)', `${seconds(r.wallMs)}; ${seconds(r.beforeFirstRequestMs)}`, seconds(r.ideal.wallMs), `${times(r.wallRatio)} (info: start-up is the startup case's)`],
      ['peak requests in flight', r.peakInFlight, Math.min(r.concurrency, r.n), ''],
      ['CLI CPU (s) / peak RSS (MB)', `${seconds(r.cpuMs)} / ${megabytes(r.maxRssMb)}`, '', ''],
    ],
  );
}

// Zone links: the observe cost per zone. `plan` of a config with Z zones, each with an incoming
// and an outgoing link to one peer, against a fake seeded with them: half the zones with a
// zone_id, half looked up by name. Fewest requests: one list per account-scoped kind, one page of
// the zone list per 50 zones looked up, then per zone its incoming and outgoing GET and the
// outgoing status (3 per zone).
/**
 * @param {ReturnType<typeof readFlags>} flags @param {string} work
 * @param {number} zones
 */
async function zoneLinkObserveRun(flags, work, zones) {
  const api = await startFakeCloudflare({ token, latencyMs: flags.latencyMs });
  try {
    const peer = api.seed('peers', { name: 'ns1', ip: '192.0.2.53', port: 53 });
    const lines = [`version: 1`, `account_id: ${api.accountId}`, 'peers:', '  - name: ns1', '    ip: 192.0.2.53', 'zones:'];
    for (let i = 0; i < zones; i++) {
      const zone = api.seedZone(`zone${String(i).padStart(4, '0')}.example`);
      api.seedLink(zone.id, 'incoming', { peers: [peer.id], auto_refresh_seconds: 86400 });
      api.seedLink(zone.id, 'outgoing', { peers: [peer.id], enabled: true });
      lines.push(`  - name: ${zone.name}`, ...(i % 2 === 0 ? [`    zone_id: ${zone.id}`] : []), '    incoming: { peers: [ns1] }', '    outgoing: { peers: [ns1] }');
    }
    const dir = mkdtempSync(join(work, 'zones-'));
    const config = join(dir, 'zones.yaml');
    writeFileSync(config, `${lines.join('\n')}\n`);
    api.resetStats();
    const run = await runCli({ root, args: ['plan', config, '--state', join(dir, 'zones.state.json'), '--detailed-exitcode'], env: cliEnv(api, {}), workDir: dir });
    return { exitCode: run.exitCode, wallMs: run.wallMs, requests: api.counts().total };
  } finally {
    await api.close();
  }
}

/** @param {ReturnType<typeof readFlags>} flags @param {string} work */
async function zoneLinkObserveCase(flags, work) {
  const sizes = flags.quick ? [10] : [10, 100];
  const cases = [];
  for (const zones of sizes) {
    /** @type {Array<{ exitCode: number | null, wallMs: number, requests: number }>} */
    const runs = [];
    for (let round = 0; round < flags.runs; round++) runs.push(await zoneLinkObserveRun(flags, work, zones));
    const lookedUp = Math.floor(zones / 2);
    // The zone list is of the whole account (every zone, 50 a page), whatever share is looked up.
    const ideal = LISTS + (lookedUp > 0 ? Math.ceil(zones / 50) : 0) + 3 * zones;
    const wallMs = median(runs.map((r) => r.wallMs));
    cases.push({ zones, ideal, requests: runs[0]?.requests ?? 0, exitCodes: runs.map((r) => r.exitCode), wallMs, perZoneRequests: ((runs[0]?.requests ?? 0) - LISTS) / zones, load: load1() });
  }
  printTable(
    `Zone links: observe cost of plan with Z zones (incoming + outgoing each; half by zone_id, half by name), latency ${flags.latencyMs} ms, concurrency ${DEFAULT_CONCURRENCY}; median of ${flags.runs} runs`,
    ['zones', 'requests (fewest possible)', 'per zone', 'exit codes', 'wall (s)', 'load'],
    cases.map((c) => [c.zones, `${c.requests} (${c.ideal})`, c.perZoneRequests.toFixed(2), c.exitCodes.join(','), seconds(c.wallMs), c.load]),
  );
  for (const c of cases) target(`zone links: plan of ${c.zones} zones sends the fewest requests`, String(c.requests), String(c.ideal), c.requests === c.ideal && c.exitCodes.every((x) => x === 0));
  return cases;
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
      const r = await applyCase(flags, work, n, { concurrency: flags.concurrency });
      applies.push(r);
      printApplyCase(r);
    }
    if (flags.sizes.includes(100) && flags.concurrency !== DEFAULT_CONCURRENCY) {
      const r = await applyCase(flags, work, 100, { concurrency: null });
      applies.push(r);
      printApplyCase(r);
    }
    // Both POST behaviours: the case above is name-only (2 + 3N); this one asks the fake to keep
    // the whole POST body, where the fewest requests are 2 + 2N.
    const fullBody = await applyCase(flags, work, flags.postN, { concurrency: flags.concurrency, peerPost: 'full-body' });
    applies.push(fullBody);
    printApplyCase(fullBody);
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

    results.zoneLinkObserve = await zoneLinkObserveCase(flags, work);
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
