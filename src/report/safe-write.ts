/**
 * The one rule for every file dnsctl writes (the plan file, the state/report file): dnsctl only
 * replaces a file of the same kind that it wrote itself, or an empty file, or creates a new one.
 * Anything else at that path (the config, a state file given as --out, a directory, a device, any
 * other file) is refused with one clear line, before it is touched.
 *
 * A symbolic link is followed: the file it points to is checked by the same rule and replaced,
 * and the link stays a link (a state file kept elsewhere through a link keeps working). A link to
 * nothing is refused: dnsctl does not create files at a place it cannot see.
 */
import { lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { OutputFileError, errorMessage } from '../errors.js';

/** A kind of file dnsctl writes, and how to recognise one it wrote. */
export interface DnsctlFileKind {
  /** For messages: "plan file", "state/report file". */
  label: string;
  /** Whether this text is a file of the kind (any version) written by dnsctl. */
  recognise(text: string): boolean;
}

/**
 * Where to write `path` (the target of a link, else `path`), or OutputFileError when writing
 * there would replace something that is not a file of `kind`, or cannot happen at all.
 */
export function writableTarget(path: string, kind: DnsctlFileKind): string {
  const target = followLink(path, kind);
  let info;
  try {
    info = statSync(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      assertFolder(path, target, kind);
      return target;
    }
    throw new OutputFileError(`cannot write the ${kind.label} ${path}: ${errorMessage(err)}`);
  }
  if (info.isDirectory()) {
    throw new OutputFileError(`cannot write the ${kind.label} ${path}: it is a directory; give a file path inside it`);
  }
  if (!info.isFile()) throw new OutputFileError(`refusing to write the ${kind.label} ${path}: it is not a regular file`);
  if (info.size === 0) return target;
  let text: string;
  try {
    text = readFileSync(target, 'utf8');
  } catch (err) {
    throw new OutputFileError(`cannot write the ${kind.label} ${path}: ${errorMessage(err)}`);
  }
  if (!kind.recognise(text)) {
    throw new OutputFileError(
      `refusing to overwrite ${path}: it is not a dnsctl ${kind.label} (it may be the config, a state file or any other file); ` +
        'choose another path, or move that file away first',
    );
  }
  return target;
}

/** Whether `text` is a JSON object; its fields, for the kinds' recognisers. */
export function jsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** `path`, or the file a symbolic link there points to; a link to nothing is refused. */
export function followLink(path: string, kind: DnsctlFileKind): string {
  let isLink = false;
  try {
    isLink = lstatSync(path).isSymbolicLink();
  } catch {
    return path; // nothing there (or not reachable): the checks on `path` itself say why
  }
  if (!isLink) return path;
  try {
    return realpathSync(path);
  } catch {
    throw new OutputFileError(
      `refusing to write the ${kind.label} ${path}: it is a symbolic link to a file that does not exist; fix or remove the link`,
    );
  }
}

function assertFolder(path: string, target: string, kind: DnsctlFileKind): void {
  const folder = dirname(target);
  let ok = false;
  try {
    ok = statSync(folder).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new OutputFileError(`cannot write the ${kind.label} ${path}: the folder ${folder} does not exist; create it or choose another path`);
  }
}
