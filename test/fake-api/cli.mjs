#!/usr/bin/env node
/**
 * Runs the fake Cloudflare API standalone, e.g.
 *   node test/fake-api/cli.mjs --port 0 --token T --account A --latency 20
 * Prints the base URL on the first line of stdout and serves until SIGTERM or SIGINT.
 * Options: --host H, --port N, --token T, --account A, --email E --api-key K (legacy auth),
 * --latency MS, --per-page N, --budget LIMIT/WINDOW_MS (e.g. 1200/300000).
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
});
process.stdout.write(`${fake.url}\n`);

for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) {
  process.once(signal, () => void fake.close());
}
