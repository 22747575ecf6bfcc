/**
 * A Cloudflare-compatible fake of the secondary DNS API (TSIGs, peers, ACLs, zones and their
 * incoming / outgoing transfer links) for tests, the demo and the benchmark. Plain JavaScript
 * (checked by tsc through JSDoc) so that scripts can import it with plain `node`, without a build.
 * By default it answers like the live API as recorded (shared/recordings/*.json); where the docs
 * leave a behaviour open, an option switches between the possibilities.
 *
 * Routes, under `/client/v4` (built from the table of kinds, KINDS below):
 * - account kinds (`tsigs`, `peers`, `acls`): `GET|POST /accounts/{account}/secondary_dns/{kind}`
 *   and `GET|PUT|DELETE /accounts/{account}/secondary_dns/{kind}/{id}`.
 * - zone kinds (`incoming`, `outgoing`), at most one per zone, whose id is the zone id:
 *   `GET|POST|PUT|DELETE /zones/{zone}/secondary_dns/{kind}`, and the actions
 *   `POST …/secondary_dns/force_axfr` (needs an incoming link; answers "OK"),
 *   `POST …/outgoing/enable` ("Enabled"), `POST …/outgoing/disable` ("Disabled"),
 *   `POST …/outgoing/force_notify` ("OK"), `GET …/outgoing/status` ("Enabled" | "Disabled").
 *   Actions on a zone without that link answer 404 1004. An action's body may be empty or a
 *   JSON object (its content is ignored). Enable and disable are idempotent.
 * - zones (read-only, seeded with the `zones` option or `seedZone`): `GET /zones` and
 *   `GET /zones/{zone}`; a zone is `{id, name, status: 'active', account: {id, name}}`, its name
 *   without a trailing dot.
 *
 * Every answer is the envelope `{success, errors, messages, result, result_info?}` as
 * `application/json` (unless a fault says otherwise). Checks run in this order: request budget
 * (429), authentication (403), route (404/405), scope: account or zone (404), body (400),
 * object (404), then the write's own checks (400). Errors (status, code, message):
 *     429  971    Please wait and consider throttling your request speed   (+ retry-after)
 *     403  10000  Authentication error        (missing AND wrong credentials alike; never 401)
 *     404  7000   No route for that URI
 *     405  7001   Method not allowed
 *     404  7003   Could not route to {path}, perhaps your object identifier is invalid?
 *                 (account id not this account's, or zone id not one of its zones)
 *     400  1002   Malformed JSON in request body  (also: body not a JSON object)
 *     400  1001   {field}: {problem}              (one error per invalid field, source.pointer set;
 *                 also bad paging parameters)
 *     404  1004   {label} not found   (labels: TSIG, peer, ACL, incoming link, outgoing link)
 *     400  1005   {label} already exists for zone {name}   (POST of a link that exists)
 *     400  1006   {label} {id} is in use by the {label} of zone {name} ({zone id})
 *                 (DELETE of a peer that an incoming or outgoing link still lists)
 * Codes 1004-1006 are the fake's choice: the live API's codes for these cases are not recorded.
 *
 * Fields (a field left out of a create is unset; unknown body fields are ignored):
 * - TSIG `name`, `algo`, `secret`: non-empty strings, all required on POST and PUT. A name gains
 *   a trailing dot when written without one (`k` → `k.`); its case is kept. The secret is
 *   returned on GET and list. Names are never checked for uniqueness (no kind's are).
 * - peer `name` (required), `ip` (IPv4/IPv6 or "", unset ""), `port` (integer 0-65535, unset 0:
 *   there is no default port), `ixfr_enable` (boolean, unset false), `tsig_id` (the id of a TSIG
 *   of this account; unset = the field is left out of the peer, never ""). `null` for an optional
 *   field, or "" for `tsig_id`, clears it. A fresh peer is FRESH_PEER plus id and name.
 *   - option `peerPost`: 'name-only' (default, the documented contract) keeps only `name` from
 *     a POST body, ignoring (and not checking) the rest; 'full-body' applies every field,
 *     checked as on PUT.
 *   - option `peerPut`: 'replace' (default) resets a field left out of a PUT to its unset value;
 *     'merge' keeps it. In both modes `name` is required, and an explicit null / "" / 0 sets.
 * - ACL `name`, `ip_range` (a CIDR with prefix length 24-32 for IPv4, 64-128 for IPv6), both
 *   required; the answer adds `created_time` and `modified_time` (modified on every PUT).
 * - incoming link: `name` (required: the zone's name, any case, trailing dot optional; answered
 *   as the zone's FQDN with a trailing dot), `peers` (required: an array of at most 30 distinct
 *   ids of peers of this account), `auto_refresh_seconds` (integer >= 300; left out: 86400, on
 *   POST and, as PUT replaces, on PUT). The answer is `{id: zone id, name, peers, primaries
 *   (a copy of peers), auto_refresh_seconds, checked_time, created_time, modified_time,
 *   soa_serial: 0}`.
 * - outgoing link: `name`, `peers` as incoming; as recorded, the answer has neither
 *   `auto_refresh_seconds` nor `modified_time`, and adds `last_transferred_time`: `{id, name,
 *   peers, primaries, checked_time, created_time, last_transferred_time, soa_serial: 0}`.
 *   A new outgoing link is disabled; deleting it forgets the state.
 * - Timestamps are ISO strings with microseconds, as recorded (`2025-03-11T20:13:16.750498Z`),
 *   strictly increasing within one fake. A DELETE answers `{id}`. Deleting a TSIG that a peer
 *   still references is allowed (the live API's answer is unknown).
 *
 * Lists: account kinds answer every object with NO `result_info` (as recorded) unless `perPage`
 * N > 0: then N per page, `?page=` and `?per_page=` honoured (positive integers, else 400),
 * with `result_info` {page, per_page, count, total_count, total_pages >= 1}. Zones are always
 * paged: `?page=` (default 1), `?per_page=` (default 20; the documented bounds 5-50, outside
 * them 400 1001), `?name=` (exact, case-insensitive; a trailing dot does not match),
 * `?account.id=` (another account: no zones); `total_pages` is 0 when nothing matches (a guess).
 *
 * Budget: a sliding window of `limit` admitted requests per `windowMs`. Requests refused with 429
 * do not count. Normally handled answers carry `Ratelimit` and `Ratelimit-Policy`.
 * Latency: every request waits `latencyMs` after its body has arrived, so concurrent requests
 * overlap. The effect of a request happens even if its client has gone away in the meantime.
 *
 * Faults (`injectFault`) apply to every route; they are matched in the order injected, when a
 * request arrives; a matching rule is used up after `times` requests. Kinds that answer instead
 * of the API have no effect: `status` (the given status, `errors`, `retryAfter` and `headers`,
 * e.g. a 403 with code 9109, a 409 with `x-should-retry: true`, a 301 with `location`),
 * `drop-before`, `hang`, `html`, `non-json`, `success-false-200`. Kinds that let the API handle
 * the request (its effect happens) and then spoil the answer: `drop-after`, `truncated` (200 with
 * the first half of the JSON body, complete per content-length), `missing-result` (envelope
 * without `result`).
 *
 * Every request is recorded: `path` is the URL path as received (e.g.
 * `/client/v4/accounts/A/secondary_dns/peers`), `query` the parsed query string, `status` 0 when
 * no answer was sent (dropped, hanging), `endedAt` null while in flight. Times are epoch
 * milliseconds with sub-millisecond precision.
 *
 * Test accessors: `objects`/`seed` for account kinds, `seedZone`/`zonesList` for zones,
 * `links`/`seedLink` for zone links. Seeding skips validation but stores what the API would: a
 * TSIG name gains its dot, an empty `tsig_id` is left out, unset fields get their unset values,
 * ACLs and links get their timestamps.
 */
import { once } from 'node:events';
import { createServer, STATUS_CODES } from 'node:http';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * @typedef {'tsigs' | 'peers' | 'acls'} Collection  account-scoped kinds
 * @typedef {'incoming' | 'outgoing'} LinkDirection  zone-scoped kinds
 * @typedef {Collection | LinkDirection} KindName
 * @typedef {{ id: string, name: string } & Record<string, unknown>} StoredObject
 * @typedef {{ id: string, name: string, status: 'active', account: { id: string, name: string } }} Zone
 * @typedef {{ incoming: StoredObject | null, outgoing: StoredObject | null, outgoingEnabled: boolean }} ZoneLinks
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
 *   `/accounts/A/secondary_dns/peers` or `/zones/Z/secondary_dns/outgoing/enable` (a string
 *   must equal it); default: all
 * @property {number} [times] how many requests the rule spoils (default 1; Infinity allowed)
 * @property {number} [status] `status`: the HTTP status (default 500); `html`: 200 or 502
 *   (default 502); `non-json`: default 200
 * @property {string} [retryAfter] `status`: value of the retry-after header
 * @property {Record<string, string>} [headers] `status`: more response headers, e.g.
 *   `{ 'x-should-retry': 'true' }` or `{ location: 'https://…' }`
 * @property {ErrorDetail[]} [errors] `status`, `success-false-200`: the envelope errors (default:
 *   971 for 429, else 1000 with the status text)
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
 * @typedef {'name-only' | 'full-body'} PeerPostMode
 * @typedef {'replace' | 'merge'} PeerPutMode
 *
 * @typedef {object} FakeOptions
 * @property {string} [accountId] default '01a7362d577a6c3019a474fd6f485823'
 * @property {string} [accountName] the account name in zone objects, default 'Fake account'
 * @property {string} [token] bearer token accepted, default 'test-token'
 * @property {string} [email] with apiKey: X-Auth-Email + X-Auth-Key accepted too
 * @property {string} [apiKey]
 * @property {number} [latencyMs] default 0
 * @property {number} [perPage] default 0: account lists on one page, without result_info
 * @property {{ limit: number, windowMs: number }} [budget] default: no budget
 * @property {PeerPostMode} [peerPost] default 'name-only'
 * @property {PeerPutMode} [peerPut] default 'replace'
 * @property {Array<{ name: string, id?: string }>} [zones] the account's zones (id: 32 hex,
 *   generated when left out)
 * @property {string} [host] default '127.0.0.1'
 * @property {number} [port] default 0 (any free port)
 *
 * @typedef {{ total: number, byMethod: { GET: number, POST: number, PUT: number, DELETE: number },
 *   status429: number }} RequestCounts
 *
 * @typedef {object} LinkSeed
 * @property {string[]} peers peer ids (not checked)
 * @property {number} [auto_refresh_seconds] incoming only, default 86400
 * @property {boolean} [enabled] outgoing only, default false
 *
 * @typedef {object} FakeCloudflare
 * @property {string} url base URL, e.g. http://127.0.0.1:PORT/client/v4
 * @property {string} accountId
 * @property {(collection: Collection) => StoredObject[]} objects copies, in creation order
 * @property {(collection: Collection, obj: Partial<StoredObject>) => StoredObject} seed inserts
 *   without validation (id generated when missing; unset values for fields left out)
 * @property {(name: string, id?: string) => Zone} seedZone adds a zone to the account
 * @property {() => Zone[]} zonesList copies of the account's zones, in seeding order
 * @property {(zoneId: string) => ZoneLinks} links copies of the zone's links
 * @property {(zoneId: string, direction: LinkDirection, link: LinkSeed) => StoredObject} seedLink
 *   creates or replaces a link without validation (the zone must exist)
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

const CODE = {
  rateLimited: 971,
  generic: 1000,
  validation: 1001,
  badJson: 1002,
  notFound: 1004,
  exists: 1005,
  inUse: 1006,
  noRoute: 7000,
  methodNotAllowed: 7001,
  unknownScope: 7003,
  auth: 10000,
};
const RATE_LIMIT_MESSAGE = 'Please wait and consider throttling your request speed';
const MAX_LINKED_PEERS = 30;
const DEFAULT_AUTO_REFRESH = 86400;
const ZONES_PER_PAGE = { default: 20, min: 5, max: 50 };

/** What a peer holds before its first PUT (no `tsig_id`: an unset TSIG is left out). */
export const FRESH_PEER = Object.freeze({ ip: '', port: 0, ixfr_enable: false });

// ---------------------------------------------------------------------------------------------
// The store

/**
 * @typedef {object} Store
 * @property {Map<KindName, Map<string, StoredObject>>} objects by kind, then by id (zone kinds:
 *   by zone id)
 * @property {Map<string, Zone>} zones
 * @property {Set<string>} outgoingEnabled ids of zones whose outgoing link is enabled
 */

// ---------------------------------------------------------------------------------------------
// Fields: a field checks and normalizes one body field. `unset` makes it optional.

/**
 * @typedef {object} Field
 * @property {(value: unknown, ctx: WriteContext) => string | undefined} check the problem with a
 *   given (non-null) value
 * @property {unknown} [unset] present: the field is optional and holds this value when unset
 * @property {true} [omitUnset] an unset field is left out of the object (not stored, not answered)
 * @property {(value: unknown, ctx: WriteContext) => unknown} [normalize] the stored form of a value
 * @property {KindName} [ref] the value (or each element) is the id of an object of that kind
 * @property {true} [protects] objects referenced here cannot be deleted
 *
 * @typedef {{ store: Store, zone?: Zone }} WriteContext
 */

/** @param {Field['check']} check @returns {Field} */
const required = (check) => ({ check });
/** @param {unknown} unset @param {Field['check']} check @returns {Field} */
const optional = (unset, check) => ({ check, unset });

/** @type {Field['check']} */
const nonEmptyString = (v) => (typeof v === 'string' && v !== '' ? undefined : 'must be a non-empty string');
/** @type {Field['check']} */
const ipAddress = (v) =>
  typeof v === 'string' && (v === '' || isIP(v) !== 0) ? undefined : 'must be an IPv4 or IPv6 address';
/** @type {Field['check']} */
const portNumber = (v) =>
  Number.isInteger(v) && Number(v) >= 0 && Number(v) <= 65535 ? undefined : 'must be an integer from 0 to 65535';
/** @type {Field['check']} */
const boolean = (v) => (typeof v === 'boolean' ? undefined : 'must be a boolean');
/** @type {Field['check']} */
const cidr = (v) => {
  const [address = '', prefix = '', ...rest] = typeof v === 'string' ? v.split('/') : [];
  const family = isIP(address);
  if (family === 0 || rest.length > 0 || !/^\d{1,3}$/.test(prefix)) return 'must be a CIDR, e.g. 192.0.2.0/24';
  const [min, max] = family === 4 ? [24, 32] : [64, 128];
  const bits = Number(prefix);
  return bits >= min && bits <= max ? undefined : `prefix length must be from /${min} to /${max}`;
};
/** @param {number} min @returns {Field['check']} */
const integerAtLeast = (min) => (v) =>
  Number.isInteger(v) && Number(v) >= min ? undefined : `must be an integer >= ${min}`;

/** @param {unknown} v */
const withTrailingDot = (v) => (typeof v === 'string' && !v.endsWith('.') ? `${v}.` : v);
/** @param {string} name */
const dnsKey = (name) => name.toLowerCase().replace(/\.$/, '');

/** @param {KindName} kind @returns {string | undefined} */
const missingObject = (kind) => `is not the id of a ${KINDS[kind].label} of this account`;

/**
 * A reference to one object; "" is the unset value.
 * @param {KindName} kind
 * @returns {Field}
 */
const reference = (kind) => ({
  ref: kind,
  unset: '',
  omitUnset: true,
  check: (v, { store }) => {
    if (typeof v !== 'string') return 'must be a string';
    return v === '' || store.objects.get(kind)?.has(v) ? undefined : missingObject(kind);
  },
});

/**
 * A set of references: an array of distinct ids.
 * @param {KindName} kind
 * @param {number} max
 * @returns {Field}
 */
const referenceSet = (kind, max) => ({
  ref: kind,
  protects: true,
  check: (v, { store }) => {
    if (!Array.isArray(v)) return `must be an array of ${KINDS[kind].label} ids`;
    if (v.length > max) return `at most ${max} ${KINDS[kind].label}s`;
    for (const id of v) {
      if (typeof id !== 'string') return `must be an array of ${KINDS[kind].label} ids`;
      if (v.indexOf(id) !== v.lastIndexOf(id)) return `${id} is listed twice`;
      if (!store.objects.get(kind)?.has(id)) return `${id} ${missingObject(kind)}`;
    }
    return undefined;
  },
  normalize: (v) => [...(/** @type {string[]} */ (v))],
});

/** The zone's name, in any case, with or without the trailing dot; stored as the zone's FQDN. */
/** @type {Field} */
const ZONE_NAME = {
  check: (v, { zone }) =>
    typeof v === 'string' && zone && dnsKey(v) === dnsKey(zone.name) ? undefined : `must be the zone's name ${zone?.name}`,
  normalize: (_v, { zone }) => `${zone?.name}.`,
};

// ---------------------------------------------------------------------------------------------
// The table of kinds: everything the routes do that differs between object kinds.

/**
 * @typedef {{ peerPost: PeerPostMode, peerPut: PeerPutMode }} Modes
 *
 * @typedef {object} Action a request on a zone link other than GET/POST/PUT/DELETE of the link
 * @property {'GET' | 'POST'} method
 * @property {string} path relative to `/zones/{zone}/secondary_dns/`
 * @property {(zoneId: string, store: Store) => unknown} run its effect; returns the result
 *
 * @typedef {object} Kind
 * @property {string} label used in messages
 * @property {'account' | 'zone'} scope account: a collection with generated ids; zone: at most
 *   one object per zone, whose id is the zone id
 * @property {Record<string, Field>} fields the body fields (others in a body are ignored)
 * @property {(modes: Modes) => string[] | 'all'} [postFields] what a POST applies (default all)
 * @property {(modes: Modes) => PeerPutMode} [putMode] default 'replace'
 * @property {string[]} [stamps] timestamps set on create; `modified_time` also on every PUT
 * @property {Record<string, unknown>} [constants] set on create
 * @property {(object: StoredObject) => Record<string, unknown>} [derived] recomputed on every write
 * @property {Action[]} [actions]
 * @property {(zoneId: string, store: Store) => void} [onDelete]
 */

/** @param {StoredObject} link */
const primaries = (link) => ({ primaries: [.../** @type {string[]} */ (link.peers)] });

/** @type {Record<KindName, Kind>} */
const KINDS = {
  tsigs: {
    label: 'TSIG',
    scope: 'account',
    fields: {
      name: { check: nonEmptyString, normalize: withTrailingDot },
      algo: required(nonEmptyString),
      secret: required(nonEmptyString),
    },
  },
  peers: {
    label: 'peer',
    scope: 'account',
    fields: {
      name: required(nonEmptyString),
      ip: optional(FRESH_PEER.ip, ipAddress),
      port: optional(FRESH_PEER.port, portNumber),
      ixfr_enable: optional(FRESH_PEER.ixfr_enable, boolean),
      tsig_id: reference('tsigs'),
    },
    postFields: ({ peerPost }) => (peerPost === 'name-only' ? ['name'] : 'all'),
    putMode: ({ peerPut }) => peerPut,
  },
  acls: {
    label: 'ACL',
    scope: 'account',
    fields: { name: required(nonEmptyString), ip_range: required(cidr) },
    stamps: ['created_time', 'modified_time'],
  },
  incoming: {
    label: 'incoming link',
    scope: 'zone',
    fields: {
      name: ZONE_NAME,
      peers: referenceSet('peers', MAX_LINKED_PEERS),
      auto_refresh_seconds: optional(DEFAULT_AUTO_REFRESH, integerAtLeast(300)),
    },
    stamps: ['checked_time', 'created_time', 'modified_time'],
    constants: { soa_serial: 0 },
    derived: primaries,
    actions: [{ method: 'POST', path: 'force_axfr', run: () => 'OK' }],
  },
  outgoing: {
    label: 'outgoing link',
    scope: 'zone',
    fields: { name: ZONE_NAME, peers: referenceSet('peers', MAX_LINKED_PEERS) },
    stamps: ['checked_time', 'created_time', 'last_transferred_time'],
    constants: { soa_serial: 0 },
    derived: primaries,
    actions: [
      {
        method: 'POST',
        path: 'outgoing/enable',
        run: (zoneId, store) => {
          store.outgoingEnabled.add(zoneId);
          return 'Enabled';
        },
      },
      {
        method: 'POST',
        path: 'outgoing/disable',
        run: (zoneId, store) => {
          store.outgoingEnabled.delete(zoneId);
          return 'Disabled';
        },
      },
      { method: 'POST', path: 'outgoing/force_notify', run: () => 'OK' },
      { method: 'GET', path: 'outgoing/status', run: (zoneId, store) => enabledText(store, zoneId) },
    ],
    onDelete: (zoneId, store) => void store.outgoingEnabled.delete(zoneId),
  },
};

/** @param {Store} store @param {string} zoneId */
const enabledText = (store, zoneId) => (store.outgoingEnabled.has(zoneId) ? 'Enabled' : 'Disabled');

/**
 * Applies a body to an object's fields.
 * @param {Kind} kind
 * @param {Record<string, unknown>} body
 * @param {{ accepted: string[] | 'all', previous?: StoredObject }} how `accepted`: the body
 *   fields applied (others count as left out); `previous`: optional fields left out keep its values
 * @param {WriteContext} ctx
 * @returns {{ value: Record<string, unknown> } | { errors: ErrorDetail[] }}
 */
function applyFields(kind, body, { accepted, previous }, ctx) {
  /** @type {Record<string, unknown>} */
  const value = {};
  /** @type {ErrorDetail[]} */
  const errors = [];
  for (const [field, spec] of Object.entries(kind.fields)) {
    const given = accepted === 'all' || accepted.includes(field) ? body[field] : undefined;
    const optionalField = 'unset' in spec;
    if (given === undefined && optionalField && previous) {
      if (field in previous) value[field] = structuredClone(previous[field]);
      continue;
    }
    /** @type {unknown} */
    let stored = spec.unset;
    if (given === undefined || given === null) {
      if (!optionalField) {
        errors.push(fieldError(field, 'is required'));
        continue;
      }
    } else {
      const problem = spec.check(given, ctx);
      if (problem) {
        errors.push(fieldError(field, problem));
        continue;
      }
      stored = spec.normalize ? spec.normalize(given, ctx) : given;
    }
    if (!(spec.omitUnset && stored === spec.unset)) value[field] = stored;
  }
  return errors.length > 0 ? { errors } : { value };
}

/** @param {string} field @param {string} problem @returns {ErrorDetail} */
const fieldError = (field, problem) => ({
  code: CODE.validation,
  message: `${field}: ${problem}`,
  source: { pointer: `/${field}` },
});

/** The value of every field left out of a seed. @param {Kind} kind */
function unsetValues(kind) {
  /** @type {Record<string, unknown>} */
  const values = {};
  for (const [field, spec] of Object.entries(kind.fields)) {
    if ('unset' in spec && !spec.omitUnset) values[field] = structuredClone(spec.unset);
  }
  return values;
}

/**
 * Completes a written object: constants and timestamps on create, modified_time on every write,
 * derived fields.
 * @param {Kind} kind
 * @param {StoredObject} object
 * @param {StoredObject | undefined} previous
 * @param {() => string} stamp
 * @returns {StoredObject}
 */
function complete(kind, object, previous, stamp) {
  const time = stamp();
  for (const field of kind.stamps ?? []) {
    object[field] = previous && field !== 'modified_time' && field in previous ? previous[field] : time;
  }
  const constants = kind.constants ?? {};
  Object.assign(object, structuredClone(constants), previous && pick(previous, Object.keys(constants)));
  return Object.assign(object, kind.derived?.(object));
}

/** @param {Record<string, unknown>} object @param {string[]} keys */
const pick = (object, keys) => Object.fromEntries(keys.filter((k) => k in object).map((k) => [k, object[k]]));

/** ISO timestamps with microseconds, strictly increasing. */
function createStamper() {
  let last = 0;
  return () => {
    const micros = Math.max(Math.floor((performance.timeOrigin + performance.now()) * 1000), last + 1);
    last = micros;
    const iso = new Date(Math.floor(micros / 1000)).toISOString();
    return `${iso.slice(0, -1)}${String(micros % 1000).padStart(3, '0')}Z`;
  };
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

/** @param {string} text */
function positiveInteger(text) {
  return /^[1-9]\d{0,8}$/.test(text) ? Number(text) : undefined;
}

/**
 * @template T
 * @param {T[]} all @param {number} page @param {number} size
 * @returns {{ items: T[], info: ResultInfo }}
 */
function pageOf(all, page, size) {
  const items = all.slice((page - 1) * size, page * size);
  const totalPages = Math.ceil(all.length / size);
  return { items, info: { page, per_page: size, count: items.length, total_count: all.length, total_pages: totalPages } };
}

// ---------------------------------------------------------------------------------------------
// Routes, built from the table of kinds

/**
 * @typedef {object} RouteRequest
 * @property {string} key the object's id (account kinds) or the zone id (zone kinds)
 * @property {Zone} [zone] the zone, for zone routes
 * @property {Record<string, unknown>} body `{}` for routes without a body
 * @property {URLSearchParams} query
 *
 * @typedef {object} Route
 * @property {string} method
 * @property {RegExp} pattern named groups: `account`, `zone`, `id`
 * @property {'required' | 'optional'} [body] a JSON object body ('optional': may be empty)
 * @property {(r: RouteRequest) => Reply} handle
 */

/**
 * @param {{ accountId: string, accountName: string, perPage: number, modes: Modes }} config
 * @param {Store} store
 * @param {() => string} stamp
 * @returns {Route[]}
 */
function buildRoutes(config, store, stamp) {
  /** @type {Route[]} */
  const routes = [];
  for (const [kindName, kind] of /** @type {[KindName, Kind][]} */ (Object.entries(KINDS))) {
    const objects = /** @type {Map<string, StoredObject>} */ (store.objects.get(kindName));
    const notFound = () => error(404, CODE.notFound, `${kind.label} not found`);

    /** @param {RouteRequest} r */
    const create = ({ key, zone, body }) => {
      if (kind.scope === 'zone' && objects.has(key)) {
        return error(400, CODE.exists, `${kind.label} already exists for zone ${zone?.name}`);
      }
      const checked = applyFields(kind, body, { accepted: kind.postFields?.(config.modes) ?? 'all' }, { store, zone });
      if ('errors' in checked) return failure(400, checked.errors);
      const id = kind.scope === 'zone' ? key : newId();
      const fields = /** @type {StoredObject} */ ({ id, ...checked.value });
      const object = complete(kind, fields, undefined, stamp);
      objects.set(id, object);
      return success(object);
    };
    /** @param {RouteRequest} r */
    const get = ({ key }) => {
      const object = objects.get(key);
      return object ? success(object) : notFound();
    };
    /** @param {RouteRequest} r */
    const replace = ({ key, zone, body }) => {
      const previous = objects.get(key);
      if (!previous) return notFound();
      const merge = kind.putMode?.(config.modes) === 'merge';
      const checked = applyFields(kind, body, { accepted: 'all', previous: merge ? previous : undefined }, { store, zone });
      if ('errors' in checked) return failure(400, checked.errors);
      const object = complete(kind, /** @type {StoredObject} */ ({ id: key, ...checked.value }), previous, stamp);
      objects.set(key, object);
      return success(object);
    };
    /** @param {RouteRequest} r */
    const remove = ({ key }) => {
      if (!objects.has(key)) return notFound();
      const user = findUser(store, kindName, key);
      if (user) {
        const by = `the ${user.kind.label} of zone ${user.object.name} (${user.object.id})`;
        return error(400, CODE.inUse, `${kind.label} ${key} is in use by ${by}`);
      }
      objects.delete(key);
      kind.onDelete?.(key, store);
      return success({ id: key });
    };

    if (kind.scope === 'account') {
      const list = new RegExp(`^/accounts/(?<account>[^/]+)/secondary_dns/${kindName}$`);
      const item = new RegExp(`^/accounts/(?<account>[^/]+)/secondary_dns/${kindName}/(?<id>[^/]+)$`);
      routes.push(
        { method: 'GET', pattern: list, handle: ({ query }) => listObjects([...objects.values()], query, config.perPage) },
        { method: 'POST', pattern: list, body: 'required', handle: create },
        { method: 'GET', pattern: item, handle: get },
        { method: 'PUT', pattern: item, body: 'required', handle: replace },
        { method: 'DELETE', pattern: item, handle: remove },
      );
    } else {
      const link = new RegExp(`^/zones/(?<zone>[^/]+)/secondary_dns/${kindName}$`);
      routes.push(
        { method: 'GET', pattern: link, handle: get },
        { method: 'POST', pattern: link, body: 'required', handle: create },
        { method: 'PUT', pattern: link, body: 'required', handle: replace },
        { method: 'DELETE', pattern: link, handle: remove },
      );
      for (const action of kind.actions ?? []) {
        routes.push({
          method: action.method,
          pattern: new RegExp(`^/zones/(?<zone>[^/]+)/secondary_dns/${action.path}$`),
          body: action.method === 'POST' ? 'optional' : undefined,
          handle: ({ key }) => (objects.has(key) ? success(action.run(key, store)) : notFound()),
        });
      }
    }
  }
  routes.push(
    { method: 'GET', pattern: /^\/zones$/, handle: ({ query }) => listZones(config.accountId, store.zones, query) },
    { method: 'GET', pattern: /^\/zones\/(?<zone>[^/]+)$/, handle: ({ zone }) => success(zone) },
  );
  return routes;
}

/**
 * The first zone link that lists the object, if any field of any kind protects it.
 * @param {Store} store @param {KindName} kindName @param {string} id
 * @returns {{ kind: Kind, object: StoredObject } | undefined}
 */
function findUser(store, kindName, id) {
  for (const [userName, kind] of /** @type {[KindName, Kind][]} */ (Object.entries(KINDS))) {
    const fields = Object.entries(kind.fields).filter(([, spec]) => spec.ref === kindName && spec.protects);
    for (const object of store.objects.get(userName)?.values() ?? []) {
      for (const [field] of fields) {
        const value = object[field];
        if (value === id || (Array.isArray(value) && value.includes(id))) return { kind, object };
      }
    }
  }
  return undefined;
}

/** @param {StoredObject[]} all @param {URLSearchParams} query @param {number} perPage */
function listObjects(all, query, perPage) {
  if (perPage === 0) return success(all);
  const page = positiveInteger(query.get('page') ?? '1');
  const size = positiveInteger(query.get('per_page') ?? String(perPage));
  if (page === undefined || size === undefined) {
    return error(400, CODE.validation, 'page and per_page must be positive integers');
  }
  const { items, info } = pageOf(all, page, size);
  return success(items, { ...info, total_pages: Math.max(1, info.total_pages) });
}

/** @param {string} accountId @param {Map<string, Zone>} zones @param {URLSearchParams} query */
function listZones(accountId, zones, query) {
  const page = positiveInteger(query.get('page') ?? '1');
  const size = positiveInteger(query.get('per_page') ?? String(ZONES_PER_PAGE.default));
  if (page === undefined) return error(400, CODE.validation, 'page: must be a positive integer');
  if (size === undefined || size < ZONES_PER_PAGE.min || size > ZONES_PER_PAGE.max) {
    return error(400, CODE.validation, `per_page: must be an integer from ${ZONES_PER_PAGE.min} to ${ZONES_PER_PAGE.max}`);
  }
  const account = query.get('account.id');
  const name = query.get('name');
  const matching = [...zones.values()].filter(
    (z) => (account === null || account === accountId) && (name === null || name.toLowerCase() === z.name.toLowerCase()),
  );
  const { items, info } = pageOf(matching, page, size);
  return success(items, info);
}

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
// The API proper: budget, authentication, routing, scope, body parsing, then the route handler.

/**
 * @param {Required<Pick<FakeOptions, 'accountId' | 'accountName' | 'token' | 'perPage'>>
 *   & Pick<FakeOptions, 'email' | 'apiKey' | 'budget'> & { modes: Modes }} config
 * @param {Store} store
 * @param {() => string} stamp
 */
function createApi(config, store, stamp) {
  const budget = config.budget ? createBudget(config.budget) : undefined;
  const routes = buildRoutes(config, store, stamp);

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
    const matching = routes.filter((r) => r.pattern.test(path));
    if (matching.length === 0) return error(404, CODE.noRoute, 'No route for that URI');
    const match = matching.find((r) => r.method === method);
    if (!match) return error(405, CODE.methodNotAllowed, 'Method not allowed');
    const groups = match.pattern.exec(path)?.groups ?? {};
    const zone = groups.zone === undefined ? undefined : store.zones.get(groups.zone);
    if ((groups.account !== undefined && groups.account !== config.accountId) || (groups.zone !== undefined && !zone)) {
      return error(404, CODE.unknownScope, `Could not route to ${path}, perhaps your object identifier is invalid?`);
    }
    /** @type {Record<string, unknown>} */
    let body = {};
    if (match.body && !(match.body === 'optional' && rawBody.trim() === '')) {
      /** @type {unknown} */
      let parsed;
      try {
        parsed = JSON.parse(rawBody);
      } catch {
        return error(400, CODE.badJson, 'Malformed JSON in request body');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        return error(400, CODE.badJson, 'Request body must be a JSON object');
      }
      body = /** @type {Record<string, unknown>} */ (parsed);
    }
    return match.handle({ key: groups.id ?? zone?.id ?? '', zone, body, query });
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
    : [{ code: CODE.generic, message: STATUS_CODES[status] ?? 'Error' }];

/** @type {Record<FaultKind, (rule: FaultRule, exchange: Exchange) => void>} */
const FAULTS = {
  status: (rule, x) => {
    const status = rule.status ?? 500;
    const reply = failure(status, rule.errors ?? defaultErrors(status));
    Object.assign(reply.headers, rule.headers);
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
 * @template {string} T
 * @param {string} option @param {T | undefined} value @param {readonly T[]} allowed
 * @returns {T}
 */
function oneOf(option, value, allowed) {
  if (value === undefined) return /** @type {T} */ (allowed[0]);
  if (!allowed.includes(value)) throw new Error(`${option} must be one of ${allowed.join(', ')}, got ${String(value)}`);
  return value;
}

/**
 * Starts the fake on host:port (default 127.0.0.1, any free port).
 * @param {FakeOptions} [options]
 * @returns {Promise<FakeCloudflare>}
 */
export async function startFakeCloudflare(options = {}) {
  const {
    accountId = '01a7362d577a6c3019a474fd6f485823',
    accountName = 'Fake account',
    token = 'test-token',
    email,
    apiKey,
    latencyMs = 0,
    perPage = 0,
    budget,
    zones = [],
    host = '127.0.0.1',
    port = 0,
  } = options;
  /** @type {Modes} */
  const modes = {
    peerPost: oneOf('peerPost', options.peerPost, /** @type {const} */ (['name-only', 'full-body'])),
    peerPut: oneOf('peerPut', options.peerPut, /** @type {const} */ (['replace', 'merge'])),
  };
  /** @type {Store} */
  const store = {
    objects: new Map(/** @type {KindName[]} */ (Object.keys(KINDS)).map((kind) => [kind, new Map()])),
    zones: new Map(),
    outgoingEnabled: new Set(),
  };
  const stamp = createStamper();
  const handle = createApi({ accountId, accountName, token, email, apiKey, perPage, budget, modes }, store, stamp);
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
      res.end(JSON.stringify(failure(500, [{ code: CODE.generic, message: `fake-api bug: ${String(err)}` }]).envelope));
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  /** @param {KindName} kind */
  function objectsOf(kind) {
    const objects = store.objects.get(kind);
    if (!objects) throw new Error(`unknown collection ${String(kind)}: expected one of ${Object.keys(KINDS).join(', ')}`);
    return objects;
  }

  /** @param {string} zoneId */
  function zoneOf(zoneId) {
    const zone = store.zones.get(zoneId);
    if (!zone) throw new Error(`no zone ${zoneId} in the fake account: seed it first`);
    return zone;
  }

  /** @type {FakeCloudflare['seedZone']} */
  function seedZone(name, id = newId()) {
    /** @type {Zone} */
    const zone = { id, name: name.replace(/\.$/, ''), status: 'active', account: { id: accountId, name: accountName } };
    store.zones.set(id, zone);
    return structuredClone(zone);
  }
  for (const zone of zones) seedZone(zone.name, zone.id);

  return {
    url: `http://${urlHost}:${address.port}${BASE_PATH}`,
    accountId,
    objects: (collection) => [...objectsOf(collection).values()].map((o) => structuredClone(o)),
    seed(collection, obj) {
      const objects = objectsOf(collection);
      const kind = KINDS[collection];
      const object = /** @type {StoredObject} */ ({ id: obj.id ?? newId(), ...unsetValues(kind), ...obj });
      for (const [field, spec] of Object.entries(kind.fields)) {
        if (spec.omitUnset && (object[field] === undefined || object[field] === null || object[field] === spec.unset)) {
          delete object[field];
        } else if (field in object && spec.normalize && !spec.ref) {
          object[field] = spec.normalize(object[field], { store });
        }
      }
      for (const field of kind.stamps ?? []) object[field] ??= stamp();
      objects.set(object.id, object);
      return structuredClone(object);
    },
    seedZone,
    zonesList: () => [...store.zones.values()].map((z) => structuredClone(z)),
    links: (zoneId) => ({
      incoming: structuredClone(store.objects.get('incoming')?.get(zoneId) ?? null),
      outgoing: structuredClone(store.objects.get('outgoing')?.get(zoneId) ?? null),
      outgoingEnabled: store.outgoingEnabled.has(zoneId),
    }),
    seedLink(zoneId, direction, { peers, auto_refresh_seconds, enabled }) {
      const zone = zoneOf(zoneId);
      const kind = KINDS[direction];
      const objects = objectsOf(direction);
      const fields = { name: `${zone.name}.`, peers: [...peers] };
      if (direction === 'incoming') {
        Object.assign(fields, { auto_refresh_seconds: auto_refresh_seconds ?? DEFAULT_AUTO_REFRESH });
      }
      const object = complete(kind, /** @type {StoredObject} */ ({ id: zoneId, ...fields }), objects.get(zoneId), stamp);
      objects.set(zoneId, object);
      if (direction === 'outgoing') {
        if (enabled) store.outgoingEnabled.add(zoneId);
        else store.outgoingEnabled.delete(zoneId);
      }
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
