/**
 * The typed errors of dnsctl. Everything that can go wrong for a reason the user can act on is
 * one of these; the single catch in cli.ts turns them into a message and an exit code.
 * No message here ever contains a request body, a token or a secret.
 */

export interface Problem {
  file: string;
  /** 1-based; 0 when the problem has no position in the file (e.g. unreadable file). */
  line: number;
  col: number;
  /** Field path in the config, e.g. "peers[1].ip"; "" for the document itself. */
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

export function formatProblem(p: Problem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.col}` : p.file;
  const field = p.path ? ` ${p.path}:` : '';
  return `${where}: ${p.severity}:${field} ${p.message}`;
}

export abstract class DnsctlError extends Error {
  abstract readonly exitCode: number;
  override readonly name: string = this.constructor.name;
}

/** Wrong command-line usage. */
export class UsageError extends DnsctlError {
  readonly exitCode = 1;
}

/** The config file is unreadable or invalid; carries every problem found. */
export class ConfigError extends DnsctlError {
  readonly exitCode = 1;
  constructor(readonly problems: Problem[]) {
    super(`${problems.filter((p) => p.severity === 'error').length} problem(s) in the config`);
  }
}

/** Credentials missing, or refused because they would travel in clear text. */
export class CredentialsError extends DnsctlError {
  readonly exitCode = 1;
}

export interface CloudflareErrorDetail {
  code: number | null;
  message: string;
}

/**
 * The API answered, and the answer is an error (HTTP status >= 400, success:false, or a body
 * that is not a valid envelope). `operation` names what dnsctl was doing, e.g. "POST tsigs".
 */
export class ApiError extends DnsctlError {
  readonly exitCode = 1;
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly errors: CloudflareErrorDetail[],
    message: string,
    readonly retryAfterMs: number | null = null,
    /** The answer could not be read (cut short, not JSON, no result): what the server did is unknown. */
    readonly unreadable: boolean = false,
    /** The server's `x-should-retry` header: true or false overrides dnsctl's own judgement; null when absent. */
    readonly shouldRetry: boolean | null = null,
  ) {
    super(message);
  }

  /** 409 is a lock timeout on Cloudflare's side (the official SDKs retry it too). */
  get retryable(): boolean {
    if (this.shouldRetry !== null) return this.shouldRetry;
    return (
      this.status === 408 || this.status === 409 || this.status === 429 || this.status >= 500 || (this.unreadable && this.status < 300)
    );
  }
}

/**
 * No (complete) answer: connection refused/reset, timeout, truncated body. For a request that
 * may have reached the server (`outcomeUnknown`), a non-idempotent retry could duplicate work.
 */
export class NetworkError extends DnsctlError {
  readonly exitCode = 1;
  constructor(
    readonly operation: string,
    message: string,
    readonly outcomeUnknown: boolean,
    /** False when sending again cannot help (unknown host, a port fetch refuses, a proxy that refuses). */
    readonly retryable: boolean = true,
  ) {
    super(message);
  }
}

/** The answer was larger than the cap (DNSCTL_MAX_RESPONSE_MB); reading stopped there. Never retried. */
export class ResponseTooLargeError extends NetworkError {
  constructor(operation: string, message: string) {
    super(operation, message, true, false);
  }
}

/** The proxy variables cannot work (a malformed URL); nothing was sent. */
export class NetworkSetupError extends DnsctlError {
  readonly exitCode = 1;
}

/** The state/report file cannot be used (corrupt, newer format, other account). Never overwritten. */
export class StateFileError extends DnsctlError {
  readonly exitCode = 1;
}

/** A file dnsctl was asked to write cannot be, or must not be, written there (it is not dnsctl's). */
export class OutputFileError extends DnsctlError {
  readonly exitCode = 1;
}

/** Another apply holds the lock on the state file (or the lock cannot be created). */
export class LockError extends DnsctlError {
  readonly exitCode = 1;
}

/** apply stopped before any write: too many deletes (blast radius), or "no" at the prompt. */
export class ApplyRefusedError extends DnsctlError {
  readonly exitCode = 1;
}

/** import refused before writing: an output file exists, or the account cannot be imported. */
export class ImportError extends DnsctlError {
  readonly exitCode = 1;
}

/** `apply --plan` refused: the config or the account changed since the plan was made. */
export class PlanMismatchError extends DnsctlError {
  readonly exitCode = 1;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** SIGINT/SIGTERM arrived before dnsctl reached the point where it could stop cleanly. */
export class InterruptedError extends DnsctlError {
  constructor(readonly signal: 'SIGINT' | 'SIGTERM') {
    super(`interrupted by ${signal}`);
  }

  get exitCode(): number {
    return exitCodeForSignal(this.signal);
  }
}

export function exitCodeForSignal(signal: 'SIGINT' | 'SIGTERM'): number {
  return signal === 'SIGINT' ? 130 : 143;
}

/**
 * After a create whose outcome was unknown, the account holds several objects with the name:
 * dnsctl cannot tell which one its lost request made, so it refuses to guess.
 */
export class AmbiguousObjectError extends DnsctlError {
  readonly exitCode = 1;
  constructor(
    readonly operation: string,
    readonly objectName: string,
    readonly ids: string[],
  ) {
    super(
      `${operation}: the outcome of creating "${objectName}" is unknown, and the account now holds ` +
        `${ids.length} objects with that name (ids ${ids.join(', ')}); remove the extra one(s) by hand and run again`,
    );
  }
}

/** The run is stopping (SIGINT/SIGTERM): a request waiting to be sent was not sent. */
export class NotSentError extends DnsctlError {
  readonly exitCode = 1;
  constructor(readonly operation: string) {
    super(`${operation}: not sent, the run is stopping`);
  }
}

/** Zones the config names (without a zone_id) that the account does not hold. */
export class UnknownZoneError extends DnsctlError {
  readonly exitCode = 1;
  constructor(
    readonly zones: Array<{ name: string; id?: string | null; position?: { line: number; col: number } }>,
    accountId: string,
    by: 'name' | 'zone_id' = 'name',
  ) {
    const where = (z: (typeof zones)[number]) => `"${z.name}"${by === 'zone_id' ? ` (zone_id ${z.id})` : ''}${z.position ? ` (line ${z.position.line})` : ''}`;
    super(
      `${zones.length === 1 ? 'zone' : 'zones'} ${zones.map(where).join(', ')} not found in account ${accountId}; ` +
        (by === 'zone_id'
          ? 'check the zone_id (the zone ID in the Cloudflare dashboard) or leave it out to look the zone up by name. Nothing was changed'
          : 'check the name, add the zone to the account, or give its zone_id. Nothing was changed'),
    );
  }
}
