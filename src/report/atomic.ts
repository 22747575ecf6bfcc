import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writableTarget, type DnsctlFileKind } from './safe-write.js';

/**
 * Writes `text` so that `path` holds either the old or the new content, never half of it:
 * a temp file beside it, fsync, rename over, fsync the directory. Only a file of `kind` (or an
 * empty one, or none) is ever replaced; a symbolic link is written through (see safe-write.ts).
 */
export function writeFileAtomic(path: string, text: string, kind: DnsctlFileKind): void {
  path = writableTarget(path, kind);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(temp);
    throw err;
  }
  closeSync(fd);
  renameSync(temp, path);
  try {
    const dirFd = openSync(dirname(path), 'r');
    fsyncSync(dirFd);
    closeSync(dirFd);
  } catch {
    // Some platforms cannot fsync a directory; the rename itself is still atomic.
  }
}
