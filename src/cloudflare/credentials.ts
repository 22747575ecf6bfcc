/**
 * Where the Cloudflare credentials and API base URL come from, and the checks that keep the
 * credentials from travelling where they should not: environment only, never in clear text to
 * another machine, never inside a URL.
 */
import { isIPv4 } from 'node:net';
import { CredentialsError } from '../errors.js';

export const DEFAULT_BASE_URL = 'https://api.cloudflare.com/client/v4';

export type Credentials =
  | { kind: 'token'; token: string }
  /** The legacy global API key. */
  | { kind: 'key'; email: string; key: string };

type Env = Record<string, string | undefined>;

/** A variable counts as set only when it holds something other than whitespace. */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/**
 * CLOUDFLARE_API_TOKEN wins; else CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY. Surrounding whitespace
 * (a trailing newline pasted into a CI secret) is dropped.
 */
export function credentialsFromEnv(env: Env): Credentials {
  const token = read(env, 'CLOUDFLARE_API_TOKEN');
  if (token) return { kind: 'token', token };

  const email = read(env, 'CLOUDFLARE_EMAIL');
  const key = read(env, 'CLOUDFLARE_API_KEY');
  if (email && key) return { kind: 'key', email, key };
  if (email || key) {
    const missing = email ? 'CLOUDFLARE_API_KEY' : 'CLOUDFLARE_EMAIL';
    throw new CredentialsError(
      `${missing} is not set: the legacy API key needs both CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY ` +
        '(or set CLOUDFLARE_API_TOKEN, preferred)',
    );
  }
  throw new CredentialsError(
    'no Cloudflare credentials: set CLOUDFLARE_API_TOKEN (preferred), or CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY',
  );
}

/** Visible ASCII only: anything else cannot be an HTTP header value (and fetch would quote it in its error). */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

function checkHeaderValue(value: string, variable: string): string {
  if (!HEADER_SAFE.test(value)) {
    throw new CredentialsError(`${variable} contains spaces or non-ASCII/control characters; check its value`);
  }
  return value;
}

/** The authentication headers for one request. Throws CredentialsError for a value no header can carry. */
export function authHeaders(credentials: Credentials): Record<string, string> {
  if (credentials.kind === 'token') {
    return { Authorization: `Bearer ${checkHeaderValue(credentials.token, 'CLOUDFLARE_API_TOKEN')}` };
  }
  return {
    'X-Auth-Email': checkHeaderValue(credentials.email, 'CLOUDFLARE_EMAIL'),
    'X-Auth-Key': checkHeaderValue(credentials.key, 'CLOUDFLARE_API_KEY'),
  };
}

/** 127.0.0.0/8, ::1 and localhost, as URL spells a hostname. */
export function isLoopbackHost(hostname: string): boolean {
  // URL normalises IPv4 spellings ("127.1" → "127.0.0.1") and keeps IPv6 in brackets.
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  return isIPv4(hostname) && hostname.startsWith('127.');
}

/**
 * Refuses a base URL that would expose the credentials: not http(s), user info inside the URL,
 * or plain http:// to anything but this machine (127.0.0.0/8, ::1, localhost).
 * Messages never repeat the URL's user info.
 */
export function assertSafeBaseUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new CredentialsError('the API base URL is not a valid URL (check --api-url / CLOUDFLARE_BASE_URL)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CredentialsError(`the API base URL must start with https:// (got ${url.protocol}//)`);
  }
  if (url.username || url.password) {
    throw new CredentialsError(
      'the API base URL must not contain a user name or password; credentials come from CLOUDFLARE_API_TOKEN',
    );
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new CredentialsError(
      `refusing to send credentials in clear text to ${url.origin}: use https:// (http:// is allowed only for 127.0.0.1, ::1 and localhost)`,
    );
  }
  return url;
}

/** `--api-url` flag, else CLOUDFLARE_BASE_URL, else Cloudflare's; without trailing slashes. */
export function resolveBaseUrl(flag: string | null | undefined, env: Env): string {
  const chosen = flag?.trim() || read(env, 'CLOUDFLARE_BASE_URL') || DEFAULT_BASE_URL;
  return chosen.replace(/\/+$/, '');
}
