/**
 * The floor: the requests of a fresh apply of N TSIGs + N peers, in the same DAG under the same
 * concurrency limit, sent by the barest client there is (undici.request over a keep-alive Agent,
 * no envelope checks, retries, pacing, logging or output). Run in its own process, like dnsctl,
 * so that it competes with the fake for the same CPUs. What dnsctl cannot beat on this machine.
 *
 *   node scripts/bench/floor-client.mjs BASE_URL ACCOUNT TOKEN N C [name-only|full-body]
 *     → one JSON line on stdout
 *
 * name-only: a peer is POST {name} then PUT with the whole object (Cloudflare's recorded
 * behaviour, 2 + 3N requests). full-body: POST with the whole object, and a PUT only when the
 * answer shows that the API kept nothing but the name (2 + 2N against an API that keeps it all).
 */
import pLimit from 'p-limit';
import { Agent, request } from 'undici';

const [baseUrl = '', account = '', token = '', nText = '0', cText = '4', peerPost = 'name-only'] = process.argv.slice(2);
const n = Number(nText);
const c = Number(cText);
const dispatcher = new Agent({ connections: c });
const headers = { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/json' };
const collection = `${baseUrl}/accounts/${account}/secondary_dns`;

/** @param {string} method @param {string} path @param {Record<string, unknown>} [body] @returns {Promise<any>} */
async function send(method, path, body) {
  const res = await request(`${collection}/${path}`, { method: /** @type {any} */ (method), headers, body: body && JSON.stringify(body), dispatcher });
  const envelope = JSON.parse(await res.body.text());
  if (res.statusCode !== 200 || !envelope.success) throw new Error(`${method} ${path}: HTTP ${res.statusCode}`);
  return envelope.result;
}

const limit = pLimit(c);
const started = performance.now();
await Promise.all([limit(() => send('GET', 'tsigs')), limit(() => send('GET', 'peers'))]);
const jobs = [];
for (let i = 0; i < n; i++) {
  const tsig = { name: `floor-${i}.`, algo: 'hmac-sha256.', secret: 'Zmxvb3JmbG9vcmZsb29yZmxvb3JmbG9vcmZsb29yZmw=' };
  jobs.push(
    limit(() => send('POST', 'tsigs', tsig)).then((t) =>
      limit(async () => {
        const whole = { name: `floor-${i}`, ip: '10.0.0.1', port: 53, ixfr_enable: false, tsig_id: t.id };
        const peer = await send('POST', 'peers', peerPost === 'full-body' ? whole : { name: whole.name });
        if (peerPost !== 'full-body' || peer.ip !== whole.ip) await send('PUT', `peers/${peer.id}`, whole);
      }),
    ),
  );
}
await Promise.all(jobs);
const wallMs = performance.now() - started;
const usage = process.resourceUsage();
await dispatcher.close();
process.stdout.write(`${JSON.stringify({ wallMs, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssKb: usage.maxRSS })}\n`);
