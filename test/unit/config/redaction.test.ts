import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { ConfigError, formatProblem } from '../../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'dnsctl-redaction-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ACCOUNT = '01a7362d577a6c3019a474fd6f485823';

/** Values that must never appear in a message. */
const HIDDEN = {
  ALGO: 'hmac-sha512-from-env',
  PEER_IP: '10.9.8.777-from-env',
  PORT: '5353-from-env',
  REF: 'tsig.from-env.cf.',
  NAME: 'duplicate-name-from-env',
  ACCOUNT_VAR: 'ACCOUNT-FROM-ENV',
};
const LITERAL_SECRET = 1234567890;

async function formattedProblems(lines: string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  const error = await loadConfig(path, env).catch((err: unknown) => err);
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
}

describe('messages about hidden values', () => {
  it('name the problem but never show a secret or a value that came from a variable', async () => {
    const problems = await formattedProblems(
      [
        'version: 1',
        'account_id: ${ACCOUNT_VAR}',
        'tsigs:',
        '  - name: k.',
        '    algo: ${ALGO}',
        `    secret: ${LITERAL_SECRET}`,
        'peers:',
        '  - name: ${NAME}',
        '    ip: ${PEER_IP}',
        '    port: ${PORT}',
        '    tsig: ${REF}',
        '  - name: ${NAME}',
        '    ip: 192.0.2.1',
      ],
      HIDDEN,
    );
    expect(problems).toEqual([
      'account_id: must be exactly 32 lowercase hexadecimal characters (the ID in the Cloudflare dashboard URL), got a string (not shown)',
      'tsigs[0].algo: must be one of: hmac-md5.sig-alg.reg.int., hmac-sha1., hmac-sha224., hmac-sha256., hmac-sha384., hmac-sha512.; got a string (not shown)',
      'tsigs[0].secret: must be a string, got a number (not shown)',
      'peers[0].ip: the value of environment variable PEER_IP must be an IPv4 or IPv6 address, got a string (not shown)',
      'peers[0].port: must be an integer, got a string (not shown)',
      'peers[0].tsig: names a TSIG that is not declared under tsigs',
      'peers[1].name: duplicate peer name (first declared on line 8)',
    ]);
  });

  it('show the value when it was written in the file (and is not a secret)', async () => {
    const problems = await formattedProblems(
      ['version: 1', `account_id: ${ACCOUNT}`, 'peers:', '  - name: p', '    ip: 10.9.8.777', '    tsig: nope.'],
      {},
    );
    expect(problems).toEqual([
      'peers[0].ip: must be an IPv4 or IPv6 address, got string "10.9.8.777"',
      'peers[0].tsig: TSIG "nope." is not declared under tsigs',
    ]);
  });

  it('keep every formatted problem on one line', async () => {
    const path = join(dir, 'multiline.yaml');
    writeFileSync(path, ['version: 1', `account_id: ${ACCOUNT}`, '"bad\\nkey": 1', 'peers:', '  - name: p', '    ip: "a\\nb"', ''].join('\n'));
    const error = (await loadConfig(path, {}).catch((err: unknown) => err)) as ConfigError;
    expect(error.problems).toHaveLength(2);
    for (const problem of error.problems) expect(formatProblem(problem)).not.toMatch(/[\r\n]/);
  });
});
