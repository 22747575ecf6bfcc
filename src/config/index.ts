/** Config loading: read, parse and validate a dnsctl config file into the DesiredState. */
import { createHash } from 'node:crypto';
import { ConfigError, type Problem } from '../errors.js';
import type { DesiredState } from '../resources/types.js';
import { parseConfig } from './parse.js';
import { decodeConfigText, readConfigBytes } from './read.js';
import { validateConfig, type ValidationOptions } from './validate.js';

export { MAX_CONFIG_BYTES } from './read.js';
export { buildSchema } from './schema.js';

export interface LoadedConfig {
  /** The path as given. */
  path: string;
  /** SHA-256 (hex) of the file's bytes. */
  sha256: string;
  desired: DesiredState;
  /** Warnings (e.g. a secret written literally), sorted by position. */
  warnings: Problem[];
}

/**
 * Loads and validates the config at `path`, resolving ${VAR} references from `env`.
 * Throws ConfigError with every problem (errors and warnings), sorted by line then column.
 */
export async function loadConfig(path: string, env: NodeJS.ProcessEnv, options: ValidationOptions = {}): Promise<LoadedConfig> {
  const bytes = await readConfigBytes(path);
  const parsed = parseConfig(path, decodeConfigText(path, bytes));
  const validation = validateConfig(parsed, env, options);
  if (!validation.valid) throw new ConfigError(validation.problems);
  return {
    path,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    desired: validation.desired,
    warnings: validation.problems,
  };
}
