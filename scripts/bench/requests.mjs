/**
 * What the fake API saw, counted independently of dnsctl: by method, by method + path pattern,
 * by status; and the ideal figures the benchmark compares against.
 */

/**
 * @typedef {import('../../test/fake-api/server.mjs').RequestRecord} RequestRecord
 * @typedef {{ GET: number, POST: number, PUT: number, DELETE: number }} ByMethod
 * @typedef {object} RequestStats
 * @property {number} total every request the fake received
 * @property {ByMethod} byMethod
 * @property {Record<string, number>} byPattern e.g. "PUT /accounts/:account/secondary_dns/peers/:id"
 * @property {Record<string, number>} admittedByPattern the same, without the requests refused with 429
 * @property {Record<string, number>} byStatus
 * @property {number} status429
 * @property {number} admitted requests not refused with 429
 * @property {number} writes POST + PUT + DELETE (429s included)
 * @property {number | null} firstStartedAt epoch ms
 * @property {number | null} lastEndedAt epoch ms
 * @property {number | null} spanMs first request's arrival → last request's answer
 */

/** `/client/v4/accounts/<id>/secondary_dns/peers/<id>?…` → `/accounts/:account/secondary_dns/peers/:id` */
export function pathPattern(/** @type {string} */ path) {
  return path
    .replace(/^\/client\/v4/, '')
    .replace(/^\/accounts\/[^/]+/, '/accounts/:account')
    .replace(/^(\/accounts\/:account\/secondary_dns\/[^/]+)\/[^/]+$/, '$1/:id');
}

/** @param {RequestRecord[]} requests @returns {RequestStats} */
export function requestStats(requests) {
  /** @type {ByMethod} */
  const byMethod = { GET: 0, POST: 0, PUT: 0, DELETE: 0 };
  /** @type {Record<string, number>} */
  const byPattern = {};
  /** @type {Record<string, number>} */
  const admittedByPattern = {};
  /** @type {Record<string, number>} */
  const byStatus = {};
  let firstStartedAt = Infinity;
  let lastEndedAt = -Infinity;
  for (const r of requests) {
    if (r.method in byMethod) byMethod[/** @type {keyof ByMethod} */ (r.method)]++;
    const key = `${r.method} ${pathPattern(r.path)}${Object.keys(r.query).length ? '?' : ''}`;
    byPattern[key] = (byPattern[key] ?? 0) + 1;
    if (r.status !== 429) admittedByPattern[key] = (admittedByPattern[key] ?? 0) + 1;
    byStatus[String(r.status)] = (byStatus[String(r.status)] ?? 0) + 1;
    firstStartedAt = Math.min(firstStartedAt, r.startedAt);
    lastEndedAt = Math.max(lastEndedAt, r.endedAt ?? r.startedAt);
  }
  const status429 = byStatus['429'] ?? 0;
  const some = requests.length > 0;
  return {
    total: requests.length,
    byMethod,
    byPattern: sortedKeys(byPattern),
    admittedByPattern: sortedKeys(admittedByPattern),
    byStatus,
    status429,
    admitted: requests.length - status429,
    writes: byMethod.POST + byMethod.PUT + byMethod.DELETE,
    firstStartedAt: some ? firstStartedAt : null,
    lastEndedAt: some ? lastEndedAt : null,
    spanMs: some ? lastEndedAt - firstStartedAt : null,
  };
}

/** @param {Record<string, number>} counts */
const sortedKeys = (counts) => Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));

/**
 * How the API treats a peer's POST: `name-only` keeps only the name, so a create is POST {name}
 * + PUT with the whole object (Cloudflare's recorded behaviour); `full-body` keeps the whole body,
 * so one POST is enough.
 * @typedef {'name-only' | 'full-body'} PeerPost
 */

/** The account-scoped collections observe lists, one request each (TSIGs, peers, ACLs). */
export const LISTED_COLLECTIONS = ['tsigs', 'peers', 'acls'];
export const LISTS = LISTED_COLLECTIONS.length;
const listPatterns = () => Object.fromEntries(LISTED_COLLECTIONS.map((c) => [`GET /accounts/:account/secondary_dns/${c}`, 1]));

/**
 * The fewest requests a fresh apply of N TSIGs + N peers can make: one list per collection
 * (L = 3: TSIGs, peers, ACLs), a POST per TSIG, and per peer POST {name} + PUT (name-only:
 * L + 3N) or one POST (full-body: L + 2N). Before ACLs were managed L was 2: 2 + 3N and 2 + 2N.
 * @param {number} n @param {PeerPost} [peerPost]
 */
export function idealFreshApply(n, peerPost = 'name-only') {
  const puts = peerPost === 'full-body' ? 0 : n;
  const byMethod = { GET: LISTS, POST: 2 * n, PUT: puts, DELETE: 0 };
  /** @type {Record<string, number>} */
  const byPattern = {
    ...listPatterns(),
    'POST /accounts/:account/secondary_dns/peers': n,
    'POST /accounts/:account/secondary_dns/tsigs': n,
  };
  if (puts > 0) byPattern['PUT /accounts/:account/secondary_dns/peers/:id'] = puts;
  return { total: LISTS + 2 * n + puts, byMethod, byPattern };
}

/** A no-op run (plan, or apply with nothing to do): the list calls. */
export function idealNoop() {
  return {
    total: LISTS,
    byMethod: { GET: LISTS, POST: 0, PUT: 0, DELETE: 0 },
    byPattern: listPatterns(),
  };
}

/**
 * The wall time of the DAG at concurrency C when every request takes `latencyMs` and nothing
 * else costs anything: the lists (one round, in parallel), then the TSIG POSTs (⌈N/C⌉ rounds),
 * then the peers' requests (name-only: POST + PUT, ⌈2N/C⌉ rounds; full-body: ⌈N/C⌉).
 * @param {number} n @param {number} c @param {number} latencyMs @param {PeerPost} [peerPost]
 */
export function idealDagMs(n, c, latencyMs, peerPost = 'name-only') {
  const peerRequests = peerPost === 'full-body' ? n : 2 * n;
  return latencyMs * (1 + Math.ceil(n / c) + Math.ceil(peerRequests / c));
}

/**
 * The earliest a run of `requests` admitted requests can end under a sliding-window budget of
 * `limit` per `windowS` seconds: a full window's worth at once, then wait for the window to
 * move on, ⌊(R − 1) / limit⌋ times; plus the last request's latency. Never less than the DAG ideal.
 * @param {number} requests @param {number} limit @param {number} windowS @param {number} dagIdealMs @param {number} latencyMs
 */
export function idealBudgetMs(requests, limit, windowS, dagIdealMs, latencyMs) {
  const windows = Math.floor((requests - 1) / limit);
  return Math.max(dagIdealMs, windows * windowS * 1000 + latencyMs);
}

/**
 * True when the counts by method + path pattern are exactly the ideal ones; with `ignore429`,
 * requests refused with 429 (which had no effect and were sent again) are left out.
 * @param {RequestStats} stats
 * @param {{ total: number, byPattern: Record<string, number> }} ideal
 * @param {{ ignore429?: boolean }} [options]
 */
export function matchesIdeal(stats, ideal, { ignore429 = false } = {}) {
  const patterns = ignore429 ? stats.admittedByPattern : stats.byPattern;
  const total = ignore429 ? stats.admitted : stats.total;
  const keys = new Set([...Object.keys(patterns), ...Object.keys(ideal.byPattern)]);
  return total === ideal.total && [...keys].every((k) => (patterns[k] ?? 0) === (ideal.byPattern[k] ?? 0));
}
