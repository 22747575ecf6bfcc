#!/usr/bin/env node
// npm run demo: plan → apply → plan of config.example.yaml against the bundled fake Cloudflare
// API on 127.0.0.1. No account, no network. The TSIG secrets are made up here for the run.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeCloudflare } from '../test/fake-api/server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const config = join(root, 'config.example.yaml');
const token = `demo-${randomBytes(8).toString('hex')}`;
// The account's zones: the example names example.com by id and example.net by name only.
const api = await startFakeCloudflare({
  token,
  latencyMs: 15,
  zones: [{ name: 'example.com', id: '269d8f4853475ca241c4e730be286b20' }, { name: 'example.net' }],
});
const stateFile = join(mkdtempSync(join(tmpdir(), 'dnsctl-demo-')), 'config.example.state.json');

// Every ${VAR} the example uses gets a fresh random secret.
const variables = [...new Set([...readFileSync(config, 'utf8').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]))];
const env = {
  ...process.env,
  CLOUDFLARE_API_TOKEN: token,
  CLOUDFLARE_BASE_URL: api.url,
  CLOUDFLARE_ACCOUNT_ID: api.accountId,
  ...Object.fromEntries(variables.map((name) => [name, randomBytes(64).toString('base64')])),
};

/**
 * Runs the built CLI as a user would. Asynchronously: the fake API lives in this process.
 * @param {string} title @param {...string} args @returns {Promise<number | null>}
 */
function dnsctl(title, ...args) {
  console.log(`\n\u001b[1m$ dnsctl ${args.join(' ')}\u001b[0m   # ${title}`);
  const child = spawn(process.execPath, [join(root, 'dist/cli.js'), ...args, '--state', stateFile], { env, stdio: 'inherit' });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      console.log(`(exit ${code})`);
      resolve(code);
    });
  });
}

let failed = false;
try {
  console.log(`Fake Cloudflare API listening at ${api.url} (account ${api.accountId})`);
  const exits = [
    await dnsctl('what would change in the empty account', 'plan', config, '--detailed-exitcode'),
    await dnsctl('make the account match the file', 'apply', config),
    await dnsctl('again: nothing left to do', 'plan', config, '--detailed-exitcode'),
  ];
  failed = exits.join() !== '2,0,0';

  console.log('\nThe account now holds:');
  for (const t of api.objects('tsigs')) console.log(`  TSIG ${t.name}  algo=${t.algo}  id=${t.id}`);
  const peerNames = new Map(api.objects('peers').map((p) => [p.id, p.name]));
  for (const p of api.objects('peers')) console.log(`  peer ${p.name}  ip=${p.ip || '(none)'} port=${p.port} ixfr_enable=${p.ixfr_enable} tsig_id=${p.tsig_id ?? '(none)'}`);
  for (const a of api.objects('acls')) console.log(`  ACL ${a.name}  ip_range=${a.ip_range}`);
  for (const zone of api.zonesList()) {
    const links = api.links(zone.id);
    /** @param {Record<string, unknown>} link */
    const names = (link) => /** @type {string[]} */ (link.peers).map((id) => peerNames.get(id)).join(', ');
    if (links.incoming) console.log(`  zone ${zone.name}  incoming from ${names(links.incoming)} every ${links.incoming.auto_refresh_seconds} s`);
    if (links.outgoing) console.log(`  zone ${zone.name}  outgoing to ${names(links.outgoing)} (${links.outgoingEnabled ? 'enabled' : 'disabled'})`);
  }
  const counts = api.counts();
  console.log(`\nRequests served by the fake API: ${counts.total} (${Object.entries(counts.byMethod).map(([m, n]) => `${m} ${n}`).join(', ')})`);
  console.log(`State/report file: ${stateFile}`);
} finally {
  await api.close();
}
if (failed) {
  console.error('\ndemo: an exit code was not what it should be (plan with changes: 2, apply: 0, plan without changes: 0)');
  process.exitCode = 1;
}
