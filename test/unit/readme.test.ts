/**
 * The README is the first thing a user tries: every file it points at exists, its CLI block lists
 * exactly what each command accepts, and the facts it repeats (published name, schema URL,
 * default concurrency) are the code's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ACCEPTS, DEFAULT_CONCURRENCY, type Command } from '../../src/cli/options.js';
import { SCHEMA_ID } from '../../src/config/schema.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string };

/** Relative Markdown links: `[text](path)`, without web addresses and in-page anchors. */
function relativeLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z]+:/i.test(target) && !target.startsWith('#'))
    .map((target) => target.replace(/#.*$/, ''));
}

/** Paths into the repository's own folders, wherever the README names them (prose, code, tables). */
function repositoryPaths(markdown: string): string[] {
  const found = markdown.matchAll(/(?<![\w/.@-])(?:\.github|\.ci|src|test|scripts|examples|schema)\/[\w./-]*/g);
  return [...new Set([...found].map((m) => m[0].replace(/[.,:;]+$/, '')))];
}

describe('README.md', () => {
  it('links only to files that exist', () => {
    const links = relativeLinks(README);
    expect(links).toContain('examples/github/README.md');
    expect(links.filter((link) => !existsSync(join(ROOT, link)))).toEqual([]);
  });

  it('names only repository paths that exist', () => {
    const paths = repositoryPaths(README);
    expect(paths).toEqual(expect.arrayContaining(['src/cloudflare/pacer.ts', 'test/e2e/install.test.ts', '.github/workflows/release.yml']));
    expect(paths.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
  });

  it('the checks above do catch a missing file', () => {
    const bad = 'see [x](docs/nowhere.md) and `src/nowhere.ts`.';
    expect(relativeLinks(bad).filter((l) => !existsSync(join(ROOT, l)))).toEqual(['docs/nowhere.md']);
    expect(repositoryPaths(bad).filter((p) => !existsSync(join(ROOT, p)))).toEqual(['src/nowhere.ts']);
  });

  it('its CLI block lists exactly the options each command accepts', () => {
    const block = /## CLI\n\n```\n([\s\S]*?)```/.exec(README)?.[1] ?? '';
    const listed: Record<string, Set<string>> = {};
    let heading = '';
    for (const line of block.split('\n')) {
      const head = /^(?:dnsctl (\w+) (?:<config>|--out FILE)|(plan, apply and import):|(every command):)/.exec(line);
      if (head) heading = head[1] ?? head[2] ?? head[3]!;
      const option = /^\s+--([\w-]+)/.exec(line);
      if (option && heading) (listed[heading] ??= new Set()).add(option[1]!);
    }
    const optionsOf = (command: Command) =>
      [...(listed[command] ?? []), ...(['plan', 'apply', 'import'].includes(command) ? (listed['plan, apply and import'] ?? []) : [])].sort();
    for (const command of Object.keys(ACCEPTS) as Command[]) {
      expect(optionsOf(command), command).toEqual([...ACCEPTS[command]].sort());
    }
    expect([...(listed['every command'] ?? [])]).toEqual(['log-level']);
    expect(block).toMatch(/^ {2}--output text\|json {2,}/m); // validate: text or json only
    expect(block).toContain(`(default ${DEFAULT_CONCURRENCY})`);
  });

  it('repeats the published name, the schema URL and the schema line of an install', () => {
    expect(README).toContain(`the published name is **\`${pkg.name}\`**`);
    expect(README).toContain(SCHEMA_ID);
    expect(README).toContain(`# yaml-language-server: $schema=./node_modules/${pkg.name}/schema/dnsctl.schema.json`);
    expect(existsSync(join(ROOT, 'schema', 'dnsctl.schema.json'))).toBe(true);
  });

  it('says how long npm test takes', () => {
    expect(README).toMatch(/`npm test` takes\s+(about\s+)?\d/);
  });
});
