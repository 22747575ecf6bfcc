/**
 * The client's hardening against the fake API over real HTTP, run in-process: a paged list that
 * changes while it is read (issue 9, item 4) must not make the plan create an object that exists.
 */
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { randomHex, removeTempDirs, tempDir, writeConfig, type TsigSpec } from '../support/cli.js';
import { closeFakes, requestsTo, runInProcess, startFake, type FakeCloudflare } from '../support/fake.js';

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  await closeFakes();
  removeTempDirs();
});

/**
 * Forwards every request to the fake; before the first request for page 2 of the TSIG list, runs
 * `beforePage2` once (someone changing the account between two pages of dnsctl's read).
 */
async function frontWithHook(fake: FakeCloudflare, beforePage2: () => Promise<void>): Promise<string> {
  const origin = new URL(fake.url).origin;
  let hooked = false;
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', origin);
      if (!hooked && url.pathname.endsWith('/tsigs') && url.searchParams.get('page') === '2') {
        hooked = true;
        await beforePage2();
      }
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name)));
      const answer = await fetch(url, { method: req.method, headers: headers as Record<string, string>, ...(body ? { body } : {}) });
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(await answer.text());
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4`;
}

describe('a paged list that changes while it is read', () => {
  it('an object deleted between page 1 and page 2 does not hide another: the list is read again, no create is planned', async () => {
    const fake = await startFake({ perPage: 2 });
    const env: Record<string, string> = { CLOUDFLARE_API_TOKEN: fake.token };
    const tsigs: TsigSpec[] = [];
    // The account: [hand-made, t1, t2, t3, t4]; the config declares t1..t4, which all exist.
    const handMade = fake.seed('tsigs', { name: 'hand-made.tsig.example.', algo: 'hmac-sha512.', secret: randomHex(32) });
    for (let i = 1; i <= 4; i++) {
      const secretVar = `SECRET_${i}`;
      env[secretVar] = randomHex(32);
      fake.seed('tsigs', { name: `t${i}.tsig.example.`, algo: 'hmac-sha512.', secret: env[secretVar] });
      tsigs.push({ name: `t${i}.tsig.example.`, secretVar });
    }
    // Deleting the hand-made one after page 1 ([hand-made, t1]) shifts t2 onto page 1: page 2 is [t3, t4].
    env.CLOUDFLARE_BASE_URL = await frontWithHook(fake, async () => {
      await fetch(`${fake.url}/accounts/${fake.accountId}/secondary_dns/tsigs/${handMade.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${fake.token}` },
      });
    });
    const config = writeConfig(tempDir(), { tsigs });

    const run = await runInProcess(['plan', config, '--detailed-exitcode', '--output', 'json'], { env });

    expect(run.code, run.stdout + run.stderr).toBe(0);
    const plan = JSON.parse(run.stdout) as { operations: Array<{ action: string }> };
    expect(plan.operations.filter((op) => op.action === 'create')).toEqual([]);
    // Read 1: 3 pages (the last one empty short of total_count); read 2: 2 pages.
    expect(requestsTo(fake, 'GET', 'tsigs').length).toBeGreaterThanOrEqual(4);
    expect(run.stderr).toContain('the list changed while it was read page by page');
  });
});
