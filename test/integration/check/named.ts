/**
 * A real BIND 9 `named` for the check tests: generated config, zone and TSIG keys in a temp
 * folder, listening on 127.0.0.1 on a free port, stopped (and awaited) by `stop()`.
 * Starting fails loudly (never skips) when `named` is missing or cannot start.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NamedKey {
  name: string;
  /** BIND's spelling: hmac-sha256, hmac-md5, ... */
  bindAlgorithm: string;
  /** dnsctl's spelling: hmac-sha256., hmac-md5.sig-alg.reg.int., ... */
  algorithm: string;
  secret: string;
}

export interface NamedZone {
  name: string;
  serial: number;
  /** Records of the zone file, SOA included (what an AXFR carries, less the closing SOA). */
  recordCount: number;
  /** Keys allowed to transfer the zone. */
  transferKeys: string[];
}

export interface RunningNamed {
  port: number;
  dir: string;
  stop(): Promise<void>;
}

export function namedBinary(): string {
  for (const candidate of ['/usr/sbin/named', '/usr/local/sbin/named']) if (existsSync(candidate)) return candidate;
  const found = spawnSync('sh', ['-c', 'command -v named'], { encoding: 'utf8' }).stdout.trim();
  if (found) return found;
  throw new Error('named (BIND 9) is not installed: apt-get install -y bind9 (the check tests need a real server)');
}

export function newKey(name: string, bindAlgorithm: string, algorithm: string, bytes = 32): NamedKey {
  return { name, bindAlgorithm, algorithm, secret: randomBytes(bytes).toString('base64') };
}

/** A free TCP port on 127.0.0.1 (named binds UDP on the same number). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A zone file: SOA, NS, and `extra` TXT records (enough of them make a multi-message AXFR). */
export function zoneFile(zone: string, serial: number, extra: number): { text: string; recordCount: number } {
  const lines = [
    '$TTL 3600',
    `@ IN SOA ns1.${zone}. hostmaster.${zone}. ${serial} 3600 600 604800 300`,
    `@ IN NS ns1.${zone}.`,
    'ns1 IN A 127.0.0.1',
  ];
  for (let i = 0; i < extra; i++) lines.push(`r${i} IN TXT "record ${i} of ${zone}, padded so that the transfer needs several messages"`);
  return { text: `${lines.join('\n')}\n`, recordCount: 3 + extra };
}

export async function startNamed(keys: NamedKey[], zones: Array<NamedZone & { text: string }>): Promise<RunningNamed> {
  const binary = namedBinary();
  const dir = mkdtempSync(join(tmpdir(), 'dnsctl-named-'));
  const port = await freePort();
  const conf = [
    'options {',
    `  directory "${dir}";`,
    `  pid-file "${join(dir, 'named.pid')}";`,
    `  session-keyfile "${join(dir, 'session.key')}";`,
    `  managed-keys-directory "${dir}";`,
    `  listen-on port ${port} { 127.0.0.1; };`,
    '  listen-on-v6 { none; };',
    '  recursion no;',
    '  allow-query { any; };',
    '  allow-transfer { none; };',
    '  notify no;',
    '  dnssec-validation no;',
    '};',
    'controls { };',
    ...keys.map((k) => `key "${k.name}" { algorithm ${k.bindAlgorithm}; secret "${k.secret}"; };`),
    ...zones.map((z) => {
      writeFileSync(join(dir, `${z.name}.zone`), z.text);
      return `zone "${z.name}" { type primary; file "${join(dir, `${z.name}.zone`)}"; allow-transfer { ${z.transferKeys.map((k) => `key "${k}";`).join(' ')} }; };`;
    }),
  ].join('\n');
  writeFileSync(join(dir, 'named.conf'), `${conf}\n`);

  // -g: foreground, logs on stderr; no -u: stays the user running the tests.
  const child: ChildProcess = spawn(binary, ['-g', '-c', join(dir, 'named.conf'), '-n', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`named did not start within 15 s:\n${log}`)), 15_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`named could not be started: ${err.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`named exited with ${code} before it was ready:\n${log}`));
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      log += chunk;
      if (/\brunning\b/.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  // "running" can come before the TCP listener accepts (BIND's network manager starts it
  // asynchronously): wait until a connection goes through.
  await waitForTcp(port, () => log, () => child.exitCode !== null);
  return {
    port,
    dir,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForTcp(port: number, log: () => string, exited: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (exited()) throw new Error(`named exited before it accepted TCP connections:\n${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`named did not accept TCP connections on 127.0.0.1:${port} within 15 s:\n${log()}`);
}
