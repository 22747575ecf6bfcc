import { pino, type Logger } from 'pino';

export type { Logger };

import type { LogLevel } from './log-levels.js';

export { LOG_LEVELS, type LogLevel } from './log-levels.js';

/** Paths pino censors wherever they appear in a log object. */
export const REDACT_PATHS = [
  'authorization',
  'Authorization',
  '*.authorization',
  '*.Authorization',
  'headers.authorization',
  'headers["x-auth-key"]',
  '*.headers.authorization',
  '*.headers["x-auth-key"]',
  'token',
  'apiToken',
  'apiKey',
  'secret',
  '*.secret',
  '*.*.secret',
  'body',
  '*.body',
];

/**
 * pino JSON logs on stderr (fd 2), so stdout stays the human/JSON output. Quiet ("warn") by
 * default. Secrets are never passed to the logger; redaction is the second line of defence.
 */
export function createLogger(level: LogLevel = 'warn', destination: NodeJS.WritableStream | number = 2): Logger {
  const stream = typeof destination === 'number' ? pino.destination({ fd: destination, sync: true }) : destination;
  return pino(
    {
      name: 'dnsctl',
      level,
      base: undefined,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    stream,
  );
}

/** A logger that drops everything, for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
