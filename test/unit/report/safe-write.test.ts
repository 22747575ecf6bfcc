/**
 * Files the user did not ask dnsctl to touch: the plan file and the state file replace only a
 * file of their own kind (or an empty one, or nothing); a directory, a missing folder and a link
 * to nothing are clear errors; a link is written through and stays a link.
 */
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OutputFileError, StateFileError } from '../../../src/errors.js';
import { writeFileAtomic } from '../../../src/report/atomic.js';
import { PLAN_FILE_KIND, assertPlanFileWritable } from '../../../src/report/plan-file.js';
import { STATE_FILE_KIND, assertStateWritable, readStateFile, writeStateFile, type StateFile } from '../../../src/report/state.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dnsctl-write-'));
  dirs.push(dir);
  return dir;
}

const PLAN_TEXT = `${JSON.stringify({ format: 'dnsctl-plan', format_version: 1, plan_hash: 'h' })}\n`;
const CONFIG_TEXT = 'version: 1\naccount_id: 01a7362d577a6c3019a474fd6f485823\n';
const STATE: StateFile = {
  format_version: 1,
  tool: { name: 'dnsctl', version: '0.1.0' },
  config: { path: 'dnsctl.yaml', sha256: 'abc' },
  account_id: '01a7362d577a6c3019a474fd6f485823',
  started_at: '2026-01-01T00:00:00.000Z',
  finished_at: '2026-01-01T00:00:01.000Z',
  dry_run: false,
  outcome: 'success',
  summary: { created: 0, updated: 0, deleted: 0, unchanged: 0, failed: 0, skipped: 0 },
  fingerprint_salt: 'salt',
  resources: [],
};
const STATE_TEXT = `${JSON.stringify(STATE)}\n`;

function refusal(write: () => void): string {
  try {
    write();
  } catch (err) {
    expect(err).toBeInstanceOf(OutputFileError);
    return (err as Error).message;
  }
  throw new Error('the write was not refused');
}

describe('plan --out FILE', () => {
  it('creates a new file, replaces a plan file or an empty file', () => {
    const dir = tempDir();
    for (const [name, before] of [['new.json', null], ['old-plan.json', PLAN_TEXT], ['mktemp', '']] as const) {
      const path = join(dir, name);
      if (before !== null) writeFileSync(path, before);
      writeFileAtomic(path, '{"format":"dnsctl-plan","new":true}\n', PLAN_FILE_KIND);
      expect(readFileSync(path, 'utf8')).toContain('"new":true');
    }
  });

  it('refuses the config, a state file, any other file, and leaves them as they were', () => {
    const dir = tempDir();
    for (const [name, text] of [['dnsctl.yaml', CONFIG_TEXT], ['dnsctl.state.json', STATE_TEXT], ['notes.txt', 'keep me\n'], ['other.json', '{"a":1}']]) {
      const path = join(dir, name!);
      writeFileSync(path, text!);
      const message = refusal(() => writeFileAtomic(path, PLAN_TEXT, PLAN_FILE_KIND));
      expect(message).toBe(
        `refusing to overwrite ${path}: it is not a dnsctl plan file (it may be the config, a state file or any other file); choose another path, or move that file away first`,
      );
      expect(() => assertPlanFileWritable(path)).toThrow(message);
      expect(readFileSync(path, 'utf8')).toBe(text);
    }
    expect(readdirSync(dir).sort()).toEqual(['dnsctl.state.json', 'dnsctl.yaml', 'notes.txt', 'other.json']);
  });

  it('a directory, or a folder that does not exist: one clear line naming it', () => {
    const dir = tempDir();
    expect(refusal(() => assertPlanFileWritable(dir))).toBe(`cannot write the plan file ${dir}: it is a directory; give a file path inside it`);
    const missing = join(dir, 'no-such-folder', 'plan.json');
    expect(refusal(() => writeFileAtomic(missing, PLAN_TEXT, PLAN_FILE_KIND))).toBe(
      `cannot write the plan file ${missing}: the folder ${join(dir, 'no-such-folder')} does not exist; create it or choose another path`,
    );
  });

  it('a link to a plan file is written through and stays a link; a link to nothing is refused', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'plans'));
    const target = join(dir, 'plans', 'real.json');
    writeFileSync(target, PLAN_TEXT);
    const link = join(dir, 'plan.json');
    symlinkSync(target, link);
    writeFileAtomic(link, '{"format":"dnsctl-plan","v":2}\n', PLAN_FILE_KIND);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('{"format":"dnsctl-plan","v":2}\n');

    const configLink = join(dir, 'config-link.json');
    symlinkSync(join(dir, 'dnsctl.yaml'), configLink);
    expect(refusal(() => writeFileAtomic(configLink, PLAN_TEXT, PLAN_FILE_KIND))).toContain('is a symbolic link to a file that does not exist');
    writeFileSync(join(dir, 'dnsctl.yaml'), CONFIG_TEXT);
    expect(refusal(() => writeFileAtomic(configLink, PLAN_TEXT, PLAN_FILE_KIND))).toContain('it is not a dnsctl plan file');
    expect(readFileSync(join(dir, 'dnsctl.yaml'), 'utf8')).toBe(CONFIG_TEXT);
  });
});

describe('the state/report file', () => {
  it('replaces only a state file: a plan file or another JSON file at --state is refused', () => {
    const dir = tempDir();
    for (const text of [PLAN_TEXT, '{"format_version":1}', CONFIG_TEXT]) {
      const path = join(dir, 'state.json');
      writeFileSync(path, text);
      expect(refusal(() => writeStateFile(path, STATE))).toContain('it is not a dnsctl state/report file');
      expect(readFileSync(path, 'utf8')).toBe(text);
    }
    writeFileSync(join(dir, 'state.json'), STATE_TEXT);
    writeStateFile(join(dir, 'state.json'), { ...STATE, outcome: 'partial' });
    expect(readStateFile(join(dir, 'state.json'))?.outcome).toBe('partial');
  });

  it('a state file that is a symbolic link is written through: the link stays, its target is updated', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'kept'));
    const target = join(dir, 'kept', 'dnsctl.state.json');
    writeFileSync(target, STATE_TEXT);
    const link = join(dir, 'dnsctl.state.json');
    symlinkSync(target, link);
    assertStateWritable(link);
    writeStateFile(link, { ...STATE, outcome: 'failed' });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readStateFile(target)?.outcome).toBe('failed');
    // No temp file left beside the link or the target.
    expect(readdirSync(dir).sort()).toEqual(['dnsctl.state.json', 'kept']);
    expect(readdirSync(join(dir, 'kept'))).toEqual(['dnsctl.state.json']);
  });

  it('--state naming a directory is refused before anything else', () => {
    const dir = tempDir();
    expect(() => assertStateWritable(dir)).toThrow(StateFileError);
    expect(() => assertStateWritable(dir)).toThrow(`cannot write the state/report file ${dir}: it is a directory; nothing was done`);
    expect(STATE_FILE_KIND.recognise(STATE_TEXT)).toBe(true);
  });
});
