/**
 * TSIG vectors from BIND's own signer: `dig -y` signs a query (each algorithm), a UDP socket
 * here catches it, and dnsctl's signer must produce the same MAC, byte for byte the same
 * message, from the same unsigned message, time signed and fudge. Needs dig (bind9-dnsutils).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { signMessage, splitTsig } from '../../../src/check/tsig.js';
import { Secret } from '../../../src/secret.js';

const ALGORITHMS = [
  ['hmac-md5', 'hmac-md5.sig-alg.reg.int.'],
  ['hmac-sha1', 'hmac-sha1.'],
  ['hmac-sha224', 'hmac-sha224.'],
  ['hmac-sha256', 'hmac-sha256.'],
  ['hmac-sha384', 'hmac-sha384.'],
  ['hmac-sha512', 'hmac-sha512.'],
] as const;

/** Runs dig against a socket that never answers and returns the query dig sent. */
async function digQuery(bindAlgorithm: string, keyName: string, secret: string): Promise<Buffer> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const received = new Promise<Buffer>((resolve) => socket.once('message', (m) => resolve(m)));
  const dig = spawn('dig', ['@127.0.0.1', '-p', String(socket.address().port), '-y', `${bindAlgorithm}:${keyName}:${secret}`, 'Example.COM', 'SOA', '+norecurse', '+tries=1', '+time=5'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve, reject) => {
    dig.once('error', (err) => reject(new Error(`dig could not run (apt-get install -y bind9-dnsutils): ${err.message}`)));
    dig.once('exit', () => resolve());
  });
  try {
    return await Promise.race([received, exited.then(() => Promise.reject(new Error('dig exited without sending a query')))]);
  } finally {
    dig.kill('SIGKILL');
    await exited.catch(() => {});
    socket.close();
  }
}

describe('TSIG signatures match dig -y (BIND) byte for byte', () => {
  it.each(ALGORITHMS)('%s', async (bindAlgorithm, algorithm) => {
    const secret = randomBytes(32).toString('base64');
    const sent = await digQuery(bindAlgorithm, 'Xfr.Example.', secret);
    const { unsigned, tsig } = splitTsig(sent);
    expect(tsig).not.toBeNull();
    expect(tsig!.algorithm).toBe(algorithm);
    const ours = signMessage(unsigned, { name: 'xfr.example.', algorithm, secret: new Secret(secret) }, { timeSigned: tsig!.timeSigned, fudge: tsig!.fudge });
    expect(ours.mac.toString('hex')).toBe(tsig!.mac.toString('hex'));
    expect(ours.message.toString('hex')).toBe(sent.toString('hex'));
  });
});
