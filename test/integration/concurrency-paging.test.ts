/**
 * Over HTTP against the fake Cloudflare API:
 *   - `--concurrency N` bounds the requests in flight (the fake's peakInFlight), and with enough
 *     work the bound is reached (a barrier that opens only when N writes wait at once); the
 *     default is 4;
 *   - lists are paged: with the fake's `perPage: 2`, observe follows `result_info` to the end,
 *     and so does the look-up after a lost POST.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createCloudflareClient, createSecondaryDnsApi } from '../../src/cloudflare/index.js';
import { silentLogger } from '../../src/log.js';
import { observeAccount } from '../../src/observe.js';
import { bigConfig, randomHex, removeTempDirs, tempDir, writeConfig, type ConfigSpec } from '../support/cli.js';
import { actualObjects, closeFakes, collectionPath, expectedObjects, nameCounts, requestsTo, runInProcess, startFake, writes } from '../support/fake.js';

afterEach(closeFakes);
afterAll(removeTempDirs);

async function applyBig(concurrency: string[], tsigs: number, peers: number, latencyMs = 60) {
  const fake = await startFake({ latencyMs });
  const limit = Number(concurrency[1] ?? 8); // the default concurrency
  const barrier = await writeBarrier(fake.url, limit);
  const dir = tempDir();
  const { spec, secrets } = bigConfig(tsigs, peers);
  const config = writeConfig(dir, spec);
  const env = { CLOUDFLARE_API_TOKEN: fake.token, CLOUDFLARE_BASE_URL: barrier.url, ...secrets };
  const run = await runInProcess(['apply', config, '--state', join(dir, 'state.json'), '--timeout', '5', ...concurrency], { env });
  return { fake, run, spec, env, barrier };
}

/**
 * "The limit is reached" without timing: a loopback proxy in front of the fake that holds the
 * first writes until `count` of them wait at once, then lets everything through. If the client
 * never had `count` writes in flight together, the barrier never opens (the held requests time
 * out and the run fails). Lists pass straight through; the proxy adds no concurrency of its own.
 */
async function writeBarrier(target: string, count: number): Promise<{ url: string; opened: () => boolean }> {
  const held: Array<() => void> = [];
  let open = false;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const forward = () => {
        const headers = Object.fromEntries(
          Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string' && !['host', 'connection', 'content-length'].includes(e[0])),
        );
        const body = chunks.length > 0 ? Buffer.concat(chunks).toString() : undefined;
        fetch(`${target}${req.url!.replace(/^\/client\/v4/, '')}`, { method: req.method, headers, body })
          .then(async (answer) => {
            const text = await answer.text();
            res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json', ...ratelimitHeaders(answer.headers) });
            res.end(text);
          })
          .catch(() => res.destroy());
      };
      if (open || req.method === 'GET') return forward();
      held.push(forward);
      if (held.length >= count) {
        open = true;
        for (const release of held.splice(0)) release();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxies.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4`, opened: () => open };
}

function ratelimitHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['ratelimit', 'ratelimit-policy', 'retry-after']) {
    const value = headers.get(name);
    if (value !== null) out[name] = value;
  }
  return out;
}

const proxies: Server[] = [];
afterEach(async () => {
  for (const server of proxies.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

describe('concurrency', () => {
  // peakInFlight (the fake's count of requests in flight at once) bounds from above; the barrier
  // proves the limit is reached.
  it('--concurrency 2: never more than 2 requests in flight, and 2 are reached', async () => {
    const { fake, run, spec, env, barrier } = await applyBig(['--concurrency', '2'], 6, 6);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(barrier.opened()).toBe(true);
    expect(fake.peakInFlight).toBeLessThanOrEqual(2);
    expect(actualObjects(fake)).toEqual(expectedObjects(fake, spec, env));
  });

  it('--concurrency 1: one request at a time, the two list calls of observe included', async () => {
    const { fake, run } = await applyBig(['--concurrency', '1'], 3, 3, 30);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(fake.peakInFlight).toBe(1);
  });

  it('default concurrency 8: reaches 8, never more', async () => {
    const { fake, run, spec, env, barrier } = await applyBig([], 8, 8);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(barrier.opened()).toBe(true);
    expect(fake.peakInFlight).toBeLessThanOrEqual(8);
    expect(actualObjects(fake)).toEqual(expectedObjects(fake, spec, env));
  });

  it('--concurrency 8 with 8 TSIGs: 8 in flight at once', async () => {
    const { fake, run, barrier } = await applyBig(['--concurrency', '8'], 8, 0);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(barrier.opened()).toBe(true);
    expect(fake.peakInFlight).toBeLessThanOrEqual(8);
  });
});

describe('paging (perPage 2, 5 objects per collection)', () => {
  async function pagedAccount() {
    const fake = await startFake({ perPage: 2 });
    const secrets: Record<string, string> = {};
    const spec: ConfigSpec = { tsigs: [], peers: [] };
    for (let i = 0; i < 5; i++) {
      secrets[`S${i}`] = randomHex(32);
      const tsig = fake.seed('tsigs', { name: `t${i}.`, algo: 'hmac-sha512.', secret: secrets[`S${i}`] });
      fake.seed('peers', { name: `p${i}`, ip: `192.0.2.${i + 1}`, port: 53, ixfr_enable: false, tsig_id: tsig.id });
      spec.tsigs!.push({ name: `t${i}.`, secretVar: `S${i}` });
      spec.peers!.push({ name: `p${i}`, ip: `192.0.2.${i + 1}`, tsig: `t${i}.` });
    }
    return { fake, secrets, spec };
  }

  it('observe lists every object: 3 pages of each collection', async () => {
    const { fake } = await pagedAccount();
    const client = createCloudflareClient({ baseUrl: fake.url, credentials: { kind: 'token', token: fake.token }, logger: silentLogger, timeoutMs: 2000 });
    try {
      const actual = await observeAccount(createSecondaryDnsApi(client, fake.accountId), { zones: [] });
      const seen = actual.resources.map((r) => r.id).sort();
      expect(seen).toEqual([...fake.objects('tsigs'), ...fake.objects('peers')].map((o) => o.id).sort());
    } finally {
      await client.close();
    }
    for (const collection of ['tsigs', 'peers'] as const) {
      const gets = requestsTo(fake, 'GET', collection);
      expect(gets).toHaveLength(3);
      expect(gets.map((r) => r.query.page ?? '1').sort()).toEqual(['1', '2', '3']);
    }
    // Plus one GET of the ACLs, an empty list on one page.
    expect(requestsTo(fake, 'GET', 'acls')).toHaveLength(1);
    expect(fake.counts().total).toBe(7);
  });

  it('plan and apply see the whole account: no changes, and no duplicate creates', async () => {
    const { fake, secrets, spec } = await pagedAccount();
    const dir = tempDir();
    const config = writeConfig(dir, spec);
    const env = { CLOUDFLARE_API_TOKEN: fake.token, CLOUDFLARE_BASE_URL: fake.url, ...secrets };
    const run = await runInProcess(['apply', config, '--state', join(dir, 'state.json'), '--timeout', '2'], { env });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('No changes. 10 unchanged.');
    expect(writes(fake)).toEqual([]);
    expect(fake.counts().byMethod.GET).toBe(7); // 3 pages of TSIGs, 3 of peers, 1 of (no) ACLs
    expect(actualObjects(fake)).toEqual(expectedObjects(fake, spec, env));
  });

  it('an account listed over pages: the objects not in the config are all counted as unmanaged', async () => {
    const { fake } = await pagedAccount();
    const dir = tempDir();
    const config = writeConfig(dir, {});
    const run = await runInProcess(['plan', config, '--state', join(dir, 'state.json'), '--output', 'json'], {
      env: { CLOUDFLARE_API_TOKEN: fake.token, CLOUDFLARE_BASE_URL: fake.url },
    });
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { unmanaged: unknown[] }).unmanaged).toHaveLength(10);
  });

  it('the look-up after a lost POST reads every page and adopts the object (no duplicate)', async () => {
    const { fake, secrets, spec } = await pagedAccount();
    // The new TSIG sorts last: the look-up finds it only on page 3.
    spec.tsigs!.push({ name: 'z-new.', secretVar: 'S_NEW' });
    const env = { CLOUDFLARE_API_TOKEN: fake.token, CLOUDFLARE_BASE_URL: fake.url, ...secrets, S_NEW: randomHex(32) };
    fake.injectFault({ kind: 'drop-after', method: 'POST', path: `/accounts/${fake.accountId}/secondary_dns/tsigs` });
    const dir = tempDir();
    const config = writeConfig(dir, spec);
    fake.resetStats();
    const run = await runInProcess(['apply', config, '--state', join(dir, 'state.json'), '--timeout', '2'], { env });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(nameCounts(fake, 'tsigs').get('z-new.')).toBe(1);
    expect(requestsTo(fake, 'POST', 'tsigs')).toHaveLength(1);
    // Observe: 3 pages; the look-up: the 6 TSIGs on 3 pages again.
    expect(requestsTo(fake, 'GET', 'tsigs')).toHaveLength(6);
    expect(fake.requests.filter((r) => r.path === collectionPath(fake, 'tsigs') && r.query.page === '3')).toHaveLength(2);
  });
});
