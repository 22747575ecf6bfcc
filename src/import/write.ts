/** Files `dnsctl import` writes: never over an existing file, never half a file. */
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, linkSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ImportError, errorMessage } from '../errors.js';

/**
 * Writes `text` to a temp file beside `path`, then links it to `path`: the link fails when
 * `path` exists (no overwrite, even in a race) and is atomic (a reader sees all or nothing).
 */
export function writeNewFileAtomic(path: string, text: string, mode = 0o644): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(temp, 'wx', mode);
  } catch (err) {
    throw new ImportError(`cannot write ${path}: ${errorMessage(err)}`);
  }
  try {
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    linkSync(temp, path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ImportError(code === 'EEXIST' ? `${path} already exists; dnsctl import never overwrites a file` : `cannot write ${path}: ${errorMessage(err)}`);
  } finally {
    unlinkSync(temp);
  }
}

/** A new file only its owner can read (mode 0600 whatever the umask); refuses an existing one. */
export function writeSecretFile(path: string, text: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ImportError(code === 'EEXIST' ? `${path} already exists; dnsctl import never overwrites a file` : `cannot write ${path}: ${errorMessage(err)}`);
  }
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
