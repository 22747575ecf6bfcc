/**
 * Gets the text of a config file, refusing before any parsing what cannot be a config:
 * a missing or unreadable path, a directory or device, an oversized, binary or non-UTF-8 file,
 * an empty one. Each refusal is a ConfigError with one position-less Problem (line 0).
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import { fileProblem } from './problems.js';

/** A config larger than this (1 MiB) is refused unread. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

const OPEN_FAILURES: Record<string, string> = {
  ENOENT: 'file not found',
  EACCES: 'permission denied: the file cannot be read',
  EPERM: 'permission denied: the file cannot be read',
  ENOTDIR: 'file not found: a part of the path is not a directory',
};

export async function readConfigBytes(path: string): Promise<Buffer> {
  const handle = await openForReading(path);
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw refusal(path, 'the path is a directory, not a config file');
    if (!info.isFile()) throw refusal(path, 'the path is not a regular file');
    if (info.size > MAX_CONFIG_BYTES) {
      throw refusal(path, `the file is ${info.size} bytes, over the ${MAX_CONFIG_BYTES}-byte limit for a config file`);
    }
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

export function decodeConfigText(path: string, bytes: Buffer): string {
  if (bytes.includes(0)) throw refusal(path, 'the file is binary (it contains NUL bytes), not YAML text');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw refusal(path, 'the file is not valid UTF-8 text; save it as UTF-8');
  }
  if (text.trim() === '') throw refusal(path, 'the file is empty; it needs at least "version: 1"');
  return text;
}

async function openForReading(path: string): Promise<FileHandle> {
  try {
    // O_NONBLOCK: opening a FIFO must not hang; the stat check then refuses it.
    return await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    throw refusal(path, OPEN_FAILURES[code] ?? `the file cannot be opened (${code})`);
  }
}

function refusal(path: string, message: string): ConfigError {
  return new ConfigError([fileProblem(path, message)]);
}
