import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCloudflare } from '../fake-api/server.mjs';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * The published package as a user gets it: `npm pack`, installed into an empty folder, used
 * through `npx dnsctl`. The build in dist/ comes from `npm test`; packing skips scripts so it
 * does not rebuild under the feet of other test files.
 */
describe('the packed package', () => {
  let work: string;
  let tarball: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'dnsctl-pack-'));
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = join(work, packed!.filename);
    writeFileSync(join(work, 'files.json'), JSON.stringify(packed!.files.map((f) => f.path)));
    const app = join(work, 'app');
    await run('mkdir', ['-p', app]);
    await run('npm', ['init', '-y'], { cwd: app });
    await run('npm', ['install', '--no-audit', '--no-fund', tarball], { cwd: app });
  }, 180_000);

  afterAll(async () => {
    await run('rm', ['-rf', work]);
  });

  it('ships only what runs: dist, schema, README, LICENSE, package.json', () => {
    const files = JSON.parse(readFileSync(join(work, 'files.json'), 'utf8')) as string[];
    expect(files).toContain('dist/cli.js');
    expect(files).toContain('schema/dnsctl.schema.json');
    expect(files).toContain('LICENSE');
    expect(files).toContain('README.md');
    const unexpected = files.filter((f) => !/^(dist\/.*\.js|schema\/.*\.json|README\.md|LICENSE|package\.json)$/.test(f));
    expect(unexpected).toEqual([]);
  });

  it('answers npx dnsctl --version and --help', async () => {
    const app = join(work, 'app');
    expect((await run('npx', ['--no-install', 'dnsctl', '--version'], { cwd: app })).stdout.trim()).toBe(version);
    expect((await run('npx', ['--no-install', 'dnsctl', '--help'], { cwd: app })).stdout).toContain('dnsctl apply <config>');
  });

  it('validates the example and applies it to a loopback API', async () => {
    const app = join(work, 'app');
    const api = await startFakeCloudflare({ token: 'pack-token', zones: [{ name: 'example.com', id: '269d8f4853475ca241c4e730be286b20' }, { name: 'example.net' }] });
    try {
      const env = { ...process.env, TSIG_CUSTOMER_SECRET: 'cGFjay1zZWNyZXQtMQ==', TSIG_BACKUP_SECRET: 'cGFjay1zZWNyZXQtMg==', CLOUDFLARE_API_TOKEN: 'pack-token', CLOUDFLARE_BASE_URL: api.url };
      const config = join(root, 'config.example.yaml');
      const validated = await run('npx', ['--no-install', 'dnsctl', 'validate', config], { cwd: app, env });
      expect(validated.stdout).toContain('is valid');
      const state = join(work, 'state.json');
      // execFile (async): the fake API answers from this process while the CLI runs.
      const applied = await run('npx', ['--no-install', 'dnsctl', 'apply', config, '--state', state], { cwd: app, env });
      expect(applied.stdout).toContain('12 created'); // 2 TSIGs, 4 peers, 2 ACLs, 2 zones × 2 links
      expect(api.objects('peers')).toHaveLength(4);
    } finally {
      await api.close();
    }
  }, 60_000);
});
