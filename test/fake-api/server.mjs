/**
 * A Cloudflare-compatible fake of the account-scoped secondary DNS API (TSIGs, peers, ACLs) for
 * tests, the demo and the benchmark. Plain JavaScript (checked by tsc through JSDoc) so that
 * scripts can import it with plain `node`, without a build step.
 *
 * Behaviour (see shared/cloudflare-api.md for the real API):
 * - Routes, under `/client/v4`: `GET|POST /accounts/{account}/secondary_dns/{tsigs|peers|acls}`
 *   and `GET|PUT|DELETE /accounts/{account}/secondary_dns/{tsigs|peers|acls}/{id}`.
 * - Every answer is the envelope `{success, errors, messages, result, result_info?}` as
 *   `application/json` (unless a fault says otherwise). Lists carry `result_info`.
 * - Checks run in this order: request budget (429), authentication (403), route (404/405),
 *   account (404), body (400), object (404). Errors (status, code, message):
 *     429  971    Please wait and consider throttling your request speed   (+ retry-after)
 *     403  10000  Authentication error        (missing AND wrong credentials alike; never 401)
 *     404  7000   No route for that URI
 *     405  7001   Method not allowed
 *     404  7003   Could not route to /accounts/…, perhaps your object identifier is invalid?
 *     400  1002   Malformed JSON in request body  (also: body not a JSON object)
 *     400  1001   <field>: <problem>              (one error per invalid field, source.pointer set)
 *     404  1004   <TSIG|peer|ACL> not found
 * - Peers: POST keeps only `name`; a fresh peer is `{id, name, ip: '', port: 0,
 *   ixfr_enable: false, tsig_id: ''}` (FRESH_PEER). PUT replaces the whole object: `name` is
 *   required, a field left out (or null) is reset to its fresh value; `ip` must be IPv4/IPv6 when
 *   not empty, `port` an integer 0-65535, `tsig_id` when not empty the id of an existing TSIG.
 *   Deleting a TSIG that a peer still references is allowed (the real API's answer is unknown).
 * - ACL `ip_range`: a CIDR of at most /24 (IPv4) or /64 (IPv6), i.e. prefix length 24-32 / 64-128.
 * - TSIG `name`, `algo`, `secret`: non-empty strings, all required; the secret is returned on
 *   GET and list. Names are never checked for uniqueness. Ids are 32 random lowercase hex chars.
 * - Paging: with `perPage` 0 every list is one page and the query is ignored; with N > 0 lists
 *   are paged N per page, `?page=` and `?per_page=` are honoured (positive integers, else 400).
 *   `total_pages` is at least 1.
 * - Budget: a sliding window of `limit` admitted requests per `windowMs`. Requests refused with
 *   429 do not count. Normally handled answers carry `Ratelimit` and `Ratelimit-Policy`.
 * - Latency: every request waits `latencyMs` after its body has arrived, so concurrent requests
 *   overlap. The effect of a request happens even if its client has gone away in the meantime
 *   (as on a real server after a client timeout).
 * - Faults (`injectFault`) are matched in the order injected, when a request arrives; a matching
 *   rule is used up after `times` requests. Kinds that answer instead of the API have no effect:
 *   `status`, `drop-before`, `hang`, `html`, `non-json`, `success-false-200`. Kinds that let the
 *   API handle the request (its effect happens) and then spoil the answer: `drop-after`,
 *   `truncated` (200 with the first half of the JSON body, complete per content-length),
 *   `missing-result` (envelope without `result`).
 * - Every request is recorded: `path` is the URL path as received (e.g.
 *   `/client/v4/accounts/A/secondary_dns/peers`), `query` the parsed query string, `status` 0
 *   when no answer was sent (dropped, hanging), `endedAt` null while in flight. Times are epoch
 *   milliseconds with sub-millisecond precision.
 */
import { once } from 'node:events';
import { createServer, STATUS_CODES } from 'node:http';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * @typedef {'tsigs' | 'peers' | 'acls'} Collection
 * @typedef {{ id: string, name: string } & Record<string, unknown>} StoredObject
 * @typedef {Map<Collection, Map<string, StoredObject>>} Store
 * @typedef {{ code: number, message: string, source?: { pointer: string } }} ErrorDetail
 * @typedef {{ page: number, per_page: number, count: number, total_count: number, total_pages: number }} ResultInfo
 * @typedef {{ success: boolean, errors: ErrorDetail[], messages: unknown[], result?: unknown,
 *   result_info?: ResultInfo }} Envelope
 * @typedef {{ status: number, headers: Record<string, string>, envelope: Envelope }} Reply
 *
 * @typedef {'status' | 'drop-before' | 'drop-after' | 'hang' | 'html' | 'non-json' | 'truncated'
 *   | 'success-false-200' | 'missing-result'} FaultKind
 * @typedef {object} FaultRule
 * @property {FaultKind} kind
 * @property {string} [method] only requests with this method (any case); default: all
 * @property {RegExp | string} [path] tested against the path relative to the base URL, e.g.
 *   `/accounts/A/secondary_dns/peers` (a string must equal it); default: all
 * @property {number} [times] how many requests the rule spoils (default 1; Infinity allowed)
 * @property {number} [status] `status`: the HTTP status; `html`: 200 or 502 (default 502);
 *   `non-json`: default 200
 * @property {string} [retryAfter] `status`: value of the retry-after header
 * @property {ErrorDetail[]} [errors] `status`, `success-false-200`: the envelope errors
 *
 * @typedef {object} RequestRecord
 * @property {string} method
 * @property {string} path
 * @property {Record<string, string>} query
 * @property {number} status
 * @property {number} startedAt
 * @property {number | null} endedAt
 * @property {FaultKind} [fault]
 *
 * @typedef {object} FakeOptions
 * @property {string} [accountId] default '01a7362d577a6c3019a474fd6f485823'
 * @property {string} [token] bearer token accepted, default 'test-token'
 * @property {string} [email] with apiKey: X-Auth-Email + X-Auth-Key accepted too
 * @property {string} [apiKey]
 * @property {number} [latencyMs] default 0
 * @property {number} [perPage] default 0: lists on one page
 * @property {{ limit: number, windowMs: number }} [budget] default: no budget
 * @property {string} [host] default '127.0.0.1'
 * @property {number} [port] default 0 (any free port)
 *
 * @typedef {{ total: number, byMethod: { GET: number, POST: number, PUT: number, DELETE: number },
 *   status429: number }} RequestCounts
 *
 * @typedef {object} FakeCloudflare
 * @property {string} url base URL, e.g. http://127.0.0.1:PORT/client/v4
 * @property {string} accountId
 * @property {(collection: Collection) => StoredObject[]} objects copies, in creation order
 * @property {(collection: Collection, obj: Partial<StoredObject>) => StoredObject} seed inserts
 *   without validation (id generated when missing; a peer gets fresh values for fields left out)
 * @property {RequestRecord[]} requests every request in arrival order (live array)
 * @property {number} inFlight
 * @property {number} peakInFlight
 * @property {() => RequestCounts} counts computed from `requests`

 * @property {() => void} resetStats clears `requests`; peakInFlight restarts from inFlight
 * @property {(rule: FaultRule) => void} injectFault
 * @property {() => Promise<void>} close closes the server and every socket, hanging ones too;
 *   resolves once every request has ended (so `requests` and `inFlight` are final)
 */

const BASE_PATH = '/client/v4';
const COLLECTION_PATH = /^\/accounts\/(?<account>[^/]+)\/secondary_dns\/(?<collection>tsigs|peers|acls)$/;
const ITEM_PATH = /^\/accounts\/(?<account>[^/]+)\/secondary_dns\/(?<collection>tsigs|peers|acls)\/(?<id>[^/]+)$/;

const CODE = {
  rateLimited: 971,
  validation: 1001,
  badJson: 1002,
  notFound: 1004,
  noRoute: 7000,
  methodNotAllowed: 7001,
  unknownAccount: 7003,
  auth: 10000,
};
const RATE_LIMIT_MESSAGE = 'Please wait and consider throttling your request speed';

/** What a peer holds before its first PUT. */
export const FRESH_PEER = Object.freeze({ ip: '', port: 0, ixfr_enable: false, tsig_id: '' });

// ---------------------------------------------------------------------------------------------
// Validation: a field spec checks one body field; `fresh` makes it optional.

/**
 * @typedef {(value: unknown, store: Store) => string | undefined} Check  returns the problem
 * @typedef {{ check: Check, fresh?: unknown }} FieldSpec
 */

/** @param {Check} check @returns {FieldSpec} */
const required = (check) => ({ check });
/** @param {unknown} fresh @param {Check} check @returns {FieldSpec} */
const optional = (fresh, check) => ({ check, fresh });

/** @type {Check} */
const nonEmptyString = (v) => (typeof v === 'string' && v !== '' ? undefined : 'must be a non-empty string');
/** @type {Check} */
const ipAddress = (v) =>
  typeof v === 'string' && (v === '' || isIP(v) !== 0) ? undefined : 'must be an IPv4 or IPv6 address';
/** @type {Check} */
const portNumber = (v) =>
  Number.isInteger(v) && Number(v) >= 0 && Number(v) <= 65535 ? undefined : 'must be an integer from 0 to 65535';
/** @type {Check} */
const boolean = (v) => (typeof v === 'boolean' ? undefined : 'must be a boolean');
/** @type {Check} */
const tsigReference = (v, store) => {
  if (typeof v !== 'string') return 'must be a string';
  return v === '' || store.get('tsigs')?.has(v) ? undefined : 'is not the id of a TSIG of this account';
};
/** @type {Check} */
const cidr = (v) => {
  const [address = '', prefix = '', ...rest] = typeof v === 'string' ? v.split('/') : [];
  const family = isIP(address);
  if (family === 0 || rest.length > 0 || !/^\d{1,3}$/.test(prefix)) return 'must be a CIDR, e.g. 192.0.2.0/24';
  const [min, max] = family === 4 ? [24, 32] : [64, 128];
  const bits = Number(prefix);
  return bits >= min && bits <= max ? undefined : `prefix length must be from /${min} to /${max}`;
};

const NAME = required(nonEmptyString);
/** @type {Record<string, FieldSpec>} */
const TSIG_FIELDS = { name: NAME, algo: required(nonEmptyString), secret: required(nonEmptyString) };
/** @type {Record<string, FieldSpec>} */
const PEER_FIELDS = {
  name: NAME,
  ip: optional(FRESH_PEER.ip, ipAddress),
  port: optional(FRESH_PEER.port, portNumber),
  ixfr_enable: optional(FRESH_PEER.ixfr_enable, boolean),
  tsig_id: optional(FRESH_PEER.tsig_id, tsigReference),
};
/** @type {Record<string, FieldSpec>} */
const ACL_FIELDS = { name: NAME, ip_range: required(cidr) };

/**
 * How each collection is written: `create` and `replace` list the accepted body fields (others
 * are ignored); `fresh` holds the values of fields that a create does not set.
 * @type {Record<Collection, { label: string, create: Record<string, FieldSpec>,
 *   replace: Record<string, FieldSpec>, fresh: Record<string, unknown> }>}
 */
const COLLECTIONS = {
  tsigs: { label: 'TSIG', create: TSIG_FIELDS, replace: TSIG_FIELDS, fresh: {} },
  peers: { label: 'peer', create: { name: NAME }, replace: PEER_FIELDS, fresh: FRESH_PEER },
  acls: { label: 'ACL', create: ACL_FIELDS, replace: ACL_FIELDS, fresh: {} },
};

/**
 * @param {unknown} body a parsed JSON object
 * @param {Record<string, FieldSpec>} fields
 * @param {Store} store
 * @returns {{ value: Record<string, unknown> } | { errors: ErrorDetail[] }}
 */
function validate(body, fields, store) {
  const input = /** @type {Record<string, unknown>} */ (body);
  /** @type {Record<string, unknown>} */
  const value = {};
  /** @type {ErrorDetail[]} */
  const errors = [];
  for (const [field, spec] of Object.entries(fields)) {
    const given = input[field];
    const absent = given === undefined || given === null;
    const problem = absent ? ('fresh' in spec ? undefined : 'is required') : spec.check(given, store);
    if (problem) {
      errors.push({ code: CODE.validation, message: `${field}: ${problem}`, source: { pointer: `/${field}` } });
    } else {
      value[field] = given ?? spec.fresh;
    }
  }
  return errors.length > 0 ? { errors } : { value };
}

// ---------------------------------------------------------------------------------------------
// Replies

/** @param {unknown} result @param {ResultInfo} [resultInfo] @returns {Reply} */
const success = (result, resultInfo) => ({
  status: 200,
  headers: {},
  envelope: { success: true, errors: [], messages: [], result, ...(resultInfo && { result_info: resultInfo }) },
});

/** @param {number} status @param {ErrorDetail[]} errors @returns {Reply} */
const failure = (status, errors) => ({
  status,
  headers: {},
  envelope: { success: false, errors, messages: [], result: null },
});

/** @param {number} status @param {number} code @param {string} message */
const error = (status, code, message) => failure(status, [{ code, message }]);

const newId = () => randomBytes(16).toString('hex');

// ---------------------------------------------------------------------------------------------
// Route handlers: each gets the matched request and the store, performs the effect, returns a Reply.

/**
 * @typedef {{ collection: Collection, id: string, body: unknown, query: URLSearchParams, store: Store,
 *   perPage: number }} RouteRequest
 */

/** @param {RouteRequest} r */
function listObjects({ collection, query, store, perPage }) {
  const all = [...(store.get(collection)?.values() ?? [])];
  if (perPage === 0) {
    return success(all, { page: 1, per_page: all.length, count: all.length, total_count: all.length, total_pages: 1 });
  }
  const page = positiveInteger(query.get('page') ?? '1');
  const size = positiveInteger(query.get('per_page') ?? String(perPage));
  if (page === undefined || size === undefined) {
    return error(400, CODE.validation, 'page and per_page must be positive integers');
  }
  const items = all.slice((page - 1) * size, page * size);
  const totalPages = Math.max(1, Math.ceil(all.length / size));
  const info = { page, per_page: size, count: items.length, total_count: all.length, total_pages: totalPages };
  return success(items, info);
}

/** @param {string} text */
function positiveInteger(text) {
  return /^[1-9]\d{0,8}$/.test(text) ? Number(text) : undefined;
}

/** @param {RouteRequest} r */
function createObject({ collection, body, store }) {
  const kind = COLLECTIONS[collection];
  const checked = validate(body, kind.create, store);
  if ('errors' in checked) return failure(400, checked.errors);
  const object = /** @type {StoredObject} */ ({ id: newId(), ...kind.fresh, ...checked.value });
  store.get(collection)?.set(object.id, object);
  return success(object);
}

/** @param {RouteRequest} r */
function getObject({ collection, id, store }) {
  const object = store.get(collection)?.get(id);
  return object ? success(object) : notFound(collection);
}

/** @param {RouteRequest} r */
function replaceObject({ collection, id, body, store }) {
  const objects = store.get(collection);
  if (!objects?.has(id)) return notFound(collection);
  const checked = validate(body, COLLECTIONS[collection].replace, store);
  if ('errors' in checked) return failure(400, checked.errors);
  const object = /** @type {StoredObject} */ ({ id, ...checked.value });
  objects.set(id, object);
  return success(object);
}

/** @param {RouteRequest} r */
function deleteObject({ collection, id, store }) {
  return store.get(collection)?.delete(id) ? success({ id }) : notFound(collection);
}

/** @param {Collection} collection */
const notFound = (collection) => error(404, CODE.notFound, `${COLLECTIONS[collection].label} not found`);

/** @type {{ method: string, pattern: RegExp, handle: (r: RouteRequest) => Reply, hasBody?: true }[]} */
const ROUTES = [
  { method: 'GET', pattern: COLLECTION_PATH, handle: listObjects },
  { method: 'POST', pattern: COLLECTION_PATH, handle: createObject, hasBody: true },
  { method: 'GET', pattern: ITEM_PATH, handle: getObject },
  { method: 'PUT', pattern: ITEM_PATH, handle: replaceObject, hasBody: true },
  { method: 'DELETE', pattern: ITEM_PATH, handle: deleteObject },
];

// ---------------------------------------------------------------------------------------------
// Request budget: a sliding window of admitted requests.

/** @param {{ limit: number, windowMs: number }} budget */
function createBudget({ limit, windowMs }) {
  /** @type {number[]} */
  const admitted = [];
  const policy = `"default";q=${limit};w=${Math.max(1, Math.ceil(windowMs / 1000))}`;
  return {
    /** Admits the request if the window has room; returns the answer's headers. */
    take() {
      const now = Date.now();
      while (admitted.length > 0 && Number(admitted[0]) <= now - windowMs) admitted.shift();
      const ok = admitted.length < limit;
      if (ok) admitted.push(now);
      const resetSeconds = admitted.length > 0 ? Math.ceil((Number(admitted[0]) + windowMs - now) / 1000) : 0;
      /** @type {Record<string, string>} */
      const headers = {
        ratelimit: `"default";r=${limit - admitted.length};t=${resetSeconds}`,
        'ratelimit-policy': policy,
      };
      if (!ok) headers['retry-after'] = String(Math.max(1, resetSeconds));
      return { ok, headers };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The API proper: budget, authentication, routing, body parsing, then the route handler.

/**
 * @param {Required<Pick<FakeOptions, 'accountId' | 'token' | 'perPage'>>
 *   & Pick<FakeOptions, 'email' | 'apiKey' | 'budget'>} config
 * @param {Store} store
 */
function createApi(config, store) {
  const budget = config.budget ? createBudget(config.budget) : undefined;

  /** @param {import('node:http').IncomingHttpHeaders} headers */
  function authenticated(headers) {
    if (headers.authorization !== undefined) return headers.authorization === `Bearer ${config.token}`;
    return (
      config.email !== undefined &&
      config.apiKey !== undefined &&
      headers['x-auth-email'] === config.email &&
      headers['x-auth-key'] === config.apiKey
    );
  }

  /**
   * @param {string} method
   * @param {string} path relative to the base path, or the full path when outside it
   * @param {URLSearchParams} query
   * @param {import('node:http').IncomingHttpHeaders} headers
   * @param {string} rawBody
   * @returns {Reply}
   */
  function route(method, path, query, headers, rawBody) {
    if (!authenticated(headers)) return error(403, CODE.auth, 'Authentication error');
    const matching = ROUTES.filter((r) => r.pattern.test(path));
    if (matching.length === 0) return error(404, CODE.noRoute, 'No route for that URI');
    const match = matching.find((r) => r.method === method);
    if (!match) return error(405, CODE.methodNotAllowed, 'Method not allowed');
    const groups = match.pattern.exec(path)?.groups ?? {};
    if (groups.account !== config.accountId) {
      return error(404, CODE.unknownAccount, `Could not route to ${path}, perhaps your object identifier is invalid?`);
    }
    /** @type {unknown} */
    let body;
    if (match.hasBody) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        return error(400, CODE.badJson, 'Malformed JSON in request body');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return error(400, CODE.badJson, 'Request body must be a JSON object');
      }
    }
    const collection = /** @type {Collection} */ (groups.collection);
    return match.handle({ collection, id: groups.id ?? '', body, query, store, perPage: config.perPage });
  }

  /**
   * Handles one request, with its effect; the reply carries the rate-limit headers.
   * @param {Parameters<typeof route>} args
   * @returns {Reply}
   */
  return function handle(...args) {
    const admission = budget?.take();
    const reply = admission?.ok === false ? error(429, CODE.rateLimited, RATE_LIMIT_MESSAGE) : route(...args);
    return { ...reply, headers: { ...reply.headers, ...admission?.headers } };
  };
}

// ---------------------------------------------------------------------------------------------
// Faults: each kind decides whether the API handles the request and what reaches the client.

/**
 * @typedef {object} Exchange
 * @property {() => Reply} handle lets the API handle the request (its effect happens)
 * @property {(reply: Reply) => void} reply sends a reply as JSON
 * @property {(status: number, contentType: string, text: string, headers?: Record<string, string>) => void} send
 *   sends raw text
 * @property {() => void} drop destroys the socket without an answer
 */

const HTML_PAGE =
  '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>' +
  '<body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>\n';

/** @param {number} status */
const defaultErrors = (status) =>
  status === 429
    ? [{ code: CODE.rateLimited, message: RATE_LIMIT_MESSAGE }]
    : [{ code: 1000, message: STATUS_CODES[status] ?? 'Error' }];

/** @type {Record<FaultKind, (rule: FaultRule, exchange: Exchange) => void>} */
const FAULTS = {
  status: (rule, x) => {
    const status = rule.status ?? 500;
    const reply = failure(status, rule.errors ?? defaultErrors(status));
    if (rule.retryAfter !== undefined) reply.headers['retry-after'] = rule.retryAfter;
    x.reply(reply);
  },
  'drop-before': (_rule, x) => x.drop(),
  'drop-after': (_rule, x) => {
    x.handle();
    x.drop();
  },
  hang: () => {},
  html: (rule, x) => x.send(rule.status ?? 502, 'text/html; charset=UTF-8', HTML_PAGE),
  'non-json': (rule, x) => x.send(rule.status ?? 200, 'application/json', 'upstream connect error or disconnect'),
  truncated: (_rule, x) => {
    const reply = x.handle();
    const text = JSON.stringify(reply.envelope);
    x.send(reply.status, 'application/json', text.slice(0, Math.floor(text.length / 2)), reply.headers);
  },
  'success-false-200': (rule, x) => x.reply(failure(200, rule.errors ?? defaultErrors(500))),
  'missing-result': (_rule, x) => {
    const reply = x.handle();
    delete reply.envelope.result;
    x.reply(reply);
  },
};

// ---------------------------------------------------------------------------------------------
// The server

/**
 * Starts the fake on host:port (default 127.0.0.1, any free port).
 * @param {FakeOptions} [options]
 * @returns {Promise<FakeCloudflare>}
 */
export async function startFakeCloudflare(options = {}) {
  const {
    accountId = '01a7362d577a6c3019a474fd6f485823',
    token = 'test-token',
    email,
    apiKey,
    latencyMs = 0,
    perPage = 0,
    budget,
    host = '127.0.0.1',
    port = 0,
  } = options;
  /** @type {Store} */
  const store = new Map([
    ['tsigs', new Map()],
    ['peers', new Map()],
    ['acls', new Map()],
  ]);
  const handle = createApi({ accountId, token, email, apiKey, perPage, budget }, store);
  /** @type {(FaultRule & { times: number })[]} */
  const faults = [];
  /** @type {RequestRecord[]} */
  const requests = [];
  /** @type {Set<import('node:http').ServerResponse>} */
  const open = new Set();
  let peakInFlight = 0;
  const closing = new AbortController();
  const now = () => performance.timeOrigin + performance.now();

  /** @param {string} method @param {string} path */
  function takeFault(method, path) {
    const rule = faults.find(
      (f) =>
        (f.method === undefined || f.method.toUpperCase() === method) &&
        (f.path === undefined || (typeof f.path === 'string' ? f.path === path : f.path.test(path))),
    );
    if (rule && --rule.times <= 0) faults.splice(faults.indexOf(rule), 1);
    return rule;
  }

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  async function onRequest(req, res) {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const path = url.pathname.startsWith(`${BASE_PATH}/`) ? url.pathname.slice(BASE_PATH.length) : url.pathname;
    /** @type {RequestRecord} */
    const record = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      startedAt: now(),
      endedAt: null,
    };
    requests.push(record);
    open.add(res);
    peakInFlight = Math.max(peakInFlight, open.size);
    res.once('close', () => {
      open.delete(res);
      record.endedAt = now();
    });
    const fault = takeFault(method, path);
    if (fault) record.fault = fault.kind;

    let rawBody = '';
    try {
      for await (const chunk of req) rawBody += chunk;
      if (latencyMs > 0) await sleep(latencyMs, undefined, { signal: closing.signal });
    } catch {
      return; // client gone while sending, or the fake is closing
    }

    /** @type {Exchange} */
    const exchange = {
      handle: () => handle(method, path, url.searchParams, req.headers, rawBody),
      reply: (reply) => send(reply.status, reply.headers, 'application/json', JSON.stringify(reply.envelope)),
      send: (status, contentType, text, headers = {}) => send(status, headers, contentType, text),
      drop: () => req.socket.destroy(),
    };
    /**
     * @param {number} status @param {Record<string, string>} headers
     * @param {string} contentType @param {string} text
     */
    function send(status, headers, contentType, text) {
      if (res.destroyed) return;
      record.status = status;
      res.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
      res.end(text);
    }

    if (fault) FAULTS[fault.kind](fault, exchange);
    else exchange.reply(exchange.handle());
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch((/** @type {unknown} */ err) => {
      // A bug in the fake: answer 500 so the test sees it rather than a hang.
      if (res.headersSent) return void res.destroy();
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify(failure(500, [{ code: 1000, message: `fake-api bug: ${String(err)}` }]).envelope));
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  /** @param {Collection} collection */
  function collectionOf(collection) {
    const objects = store.get(collection);
    if (!objects) throw new Error(`unknown collection ${String(collection)}: expected tsigs, peers or acls`);
    return objects;
  }

  return {
    url: `http://${urlHost}:${address.port}${BASE_PATH}`,
    accountId,
    objects: (collection) => [...collectionOf(collection).values()].map((o) => structuredClone(o)),
    seed(collection, obj) {
      const objects = collectionOf(collection);
      const object = /** @type {StoredObject} */ ({ ...COLLECTIONS[collection].fresh, ...obj, id: obj.id ?? newId() });
      objects.set(object.id, object);
      return structuredClone(object);
    },
    requests,
    get inFlight() {
      return open.size;
    },
    get peakInFlight() {
      return peakInFlight;
    },
    counts() {
      const byMethod = { GET: 0, POST: 0, PUT: 0, DELETE: 0 };
      for (const { method } of requests) {
        if (method in byMethod) byMethod[/** @type {keyof typeof byMethod} */ (method)]++;
      }
      return { total: requests.length, byMethod, status429: requests.filter((r) => r.status === 429).length };
    },
    resetStats() {
      requests.length = 0;
      peakInFlight = open.size;
    },
    injectFault(rule) {
      faults.push({ ...rule, times: rule.times ?? 1 });
    },
    async close() {
      closing.abort();
      const closed = new Promise((resolve) => server.close(() => resolve(undefined)));
      server.closeAllConnections();
      await Promise.all([closed, ...[...open].map((res) => once(res, 'close'))]);
    },
  };
}
