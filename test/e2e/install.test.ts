import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * The install path the README gives config repositories today: `npm install --save-dev
 * git+https://…/dnsctl.git#<tag>`. npm builds a git dependency itself (it runs `prepare` in a
 * temporary checkout with the devDependencies), so this installs a clone of this repository's
 * committed HEAD through `git+file://` into an empty project, then uses it as the README says.
 * Offline against the npm cache (npm ci filled it). Slow (~30 s), so it runs in
 * `npm run test:install` (and in .ci/run), not in `npm test`.
 */
describe('installed as a git dependency', () => {
  let work: string;
  let app: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'dnsctl-git-install-'));
    const clone = join(work, 'dnsctl');
    await run('git', ['clone', '--quiet', '--no-hardlinks', root, clone]);
    app = join(work, 'config-repo');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{ "name": "config-repo", "private": true }\n');
    await run('npm', ['install', '--save-dev', `git+file://${clone}`, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app });
  }, 240_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('is built by prepare, records the git URL, and runs npx dnsctl --version and validate', async () => {
    const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(manifest.devDependencies['@dnsctl/cli']).toMatch(/^git\+file:\/\//);
    expect(existsSync(join(app, 'node_modules', '@dnsctl', 'cli', 'dist', 'cli.js'))).toBe(true);
    // The line the README gives editors for a git/npm install points at a file that is there.
    expect(existsSync(join(app, 'node_modules', '@dnsctl', 'cli', 'schema', 'dnsctl.schema.json'))).toBe(true);

    expect((await run('npx', ['--no-install', 'dnsctl', '--version'], { cwd: app })).stdout.trim()).toBe(version);

    writeFileSync(
      join(app, 'dnsctl.yaml'),
      [
        '# yaml-language-server: $schema=./node_modules/@dnsctl/cli/schema/dnsctl.schema.json',
        'version: 1',
        'account_id: 01a7362d577a6c3019a474fd6f485823',
        'tsigs:',
        '  - name: tsig.example.',
        '    algo: hmac-sha256.',
        '    secret: ${TSIG_SECRET}',
        'peers:',
        '  - name: ns1',
        '    ip: 192.0.2.53',
        '    tsig: tsig.example.',
        '',
      ].join('\n'),
    );
    const validated = await run('npx', ['--no-install', 'dnsctl', 'validate', 'dnsctl.yaml'], {
      cwd: app,
      env: { ...process.env, TSIG_SECRET: 'aW5zdGFsbC10ZXN0LXNlY3JldA==' },
    });
    expect(validated.stdout).toMatch(/valid/i);
    expect(validated.stdout + validated.stderr).not.toContain('aW5zdGFsbC10ZXN0LXNlY3JldA==');
  }, 60_000);
});
