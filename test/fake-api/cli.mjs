#!/usr/bin/env node
/**
 * Runs the fake Cloudflare API standalone, e.g.
 *   node test/fake-api/cli.mjs --port 0 --token T --account A --latency 20 --zone example.com
 * Prints the base URL on the first line of stdout and serves until SIGTERM or SIGINT.
 * Options: --host H, --port N, --token T, --account A, --email E --api-key K (legacy auth),
 * --latency MS, --per-page N, --budget LIMIT/WINDOW_MS (e.g. 1200/300000),
 * --peer-post name-only|full-body, --peer-put replace|merge,
 * --zone NAME[=ZONE_ID] (repeatable: seeds the account's zones; id generated when left out).
 */
import { parseArgs } from 'node:util';
import { startFakeCloudflare } from './server.mjs';

const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    token: { type: 'string' },
    account: { type: 'string' },
    email: { type: 'string' },
    'api-key': { type: 'string' },
    latency: { type: 'string' },
    'per-page': { type: 'string' },
    budget: { type: 'string' },
    'peer-post': { type: 'string' },
    'peer-put': { type: 'string' },
    zone: { type: 'string', multiple: true },
  },
});

/** @param {string} name @param {string | undefined} text */
function integer(name, text) {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new Error(`--${name} must be a non-negative integer, got ${text}`);
  return Number(text);
}

/** @param {string | undefined} text */
function budget(text) {
  if (text === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(text);
  if (!match) throw new Error(`--budget must be LIMIT/WINDOW_MS, e.g. 1200/300000, got ${text}`);
  return { limit: Number(match[1]), windowMs: Number(match[2]) };
}

/** @param {string} text NAME or NAME=ZONE_ID */
function zone(text) {
  const match = /^([^=]+?)(?:=([0-9a-f]{32}))?$/.exec(text);
  if (!match) throw new Error(`--zone must be NAME or NAME=ZONE_ID (32 lowercase hex), got ${text}`);
  return { name: /** @type {string} */ (match[1]), id: match[2] };
}

const fake = await startFakeCloudflare({
  host: values.host,
  port: integer('port', values.port),
  token: values.token,
  accountId: values.account,
  email: values.email,
  apiKey: values['api-key'],
  latencyMs: integer('latency', values.latency),
  perPage: integer('per-page', values['per-page']),
  budget: budget(values.budget),
  // startFakeCloudflare refuses a mode it does not know, naming the allowed ones.
  peerPost: /** @type {import('./server.mjs').PeerPostMode | undefined} */ (values['peer-post']),
  peerPut: /** @type {import('./server.mjs').PeerPutMode | undefined} */ (values['peer-put']),
  zones: (values.zone ?? []).map(zone),
});
process.stdout.write(`${fake.url}\n`);

for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) {
  process.once(signal, () => void fake.close());
}
