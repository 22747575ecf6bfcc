import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BASE_URL,
  assertSafeBaseUrl,
  authHeaders,
  credentialsFromEnv,
  resolveBaseUrl,
} from '../../../src/cloudflare/credentials.js';
import { CredentialsError } from '../../../src/errors.js';
import { API_KEY, TOKEN, expectNoSecret } from './helpers.js';

function credentialsError(fn: () => unknown): CredentialsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CredentialsError);
    expectNoSecret((err as Error).message);
    return err as CredentialsError;
  }
  throw new Error('expected a CredentialsError');
}

describe('credentialsFromEnv', () => {
  it('prefers the API token', () => {
    expect(
      credentialsFromEnv({ CLOUDFLARE_API_TOKEN: TOKEN, CLOUDFLARE_EMAIL: 'a@example.com', CLOUDFLARE_API_KEY: API_KEY }),
    ).toEqual({ kind: 'token', token: TOKEN });
  });

  it('drops whitespace around a value pasted into a CI secret', () => {
    expect(credentialsFromEnv({ CLOUDFLARE_API_TOKEN: ` ${TOKEN}\n` })).toEqual({ kind: 'token', token: TOKEN });
  });

  it('takes the legacy email + key pair', () => {
    expect(credentialsFromEnv({ CLOUDFLARE_EMAIL: 'a@example.com', CLOUDFLARE_API_KEY: API_KEY })).toEqual({
      kind: 'key',
      email: 'a@example.com',
      key: API_KEY,
    });
  });

  it('names every variable when nothing is set (empty counts as unset)', () => {
    const err = credentialsError(() => credentialsFromEnv({ CLOUDFLARE_API_TOKEN: '  ' }));
    expect(err.message).toContain('CLOUDFLARE_API_TOKEN');
    expect(err.message).toContain('CLOUDFLARE_EMAIL');
    expect(err.message).toContain('CLOUDFLARE_API_KEY');
  });

  it('names the missing half of the legacy pair', () => {
    expect(credentialsError(() => credentialsFromEnv({ CLOUDFLARE_API_KEY: API_KEY })).message).toMatch(
      /^CLOUDFLARE_EMAIL is not set/,
    );
    expect(credentialsError(() => credentialsFromEnv({ CLOUDFLARE_EMAIL: 'a@example.com' })).message).toMatch(
      /^CLOUDFLARE_API_KEY is not set/,
    );
  });
});

describe('authHeaders', () => {
  it('sends a token as Bearer', () => {
    expect(authHeaders({ kind: 'token', token: TOKEN })).toEqual({ Authorization: `Bearer ${TOKEN}` });
  });

  it('sends the legacy pair as X-Auth-Email and X-Auth-Key', () => {
    expect(authHeaders({ kind: 'key', email: 'a@example.com', key: API_KEY })).toEqual({
      'X-Auth-Email': 'a@example.com',
      'X-Auth-Key': API_KEY,
    });
  });

  it('refuses a value no header can carry, without quoting it', () => {
    const err = credentialsError(() => authHeaders({ kind: 'token', token: `${TOKEN}\nX-Injected: 1` }));
    expect(err.message).toContain('CLOUDFLARE_API_TOKEN');
  });
});

describe('assertSafeBaseUrl', () => {
  it.each([
    'https://api.cloudflare.com/client/v4',
    'http://127.0.0.1:8080/client/v4',
    'http://127.1.2.3:8080',
    'http://[::1]:8080/client/v4',
    'http://localhost:8080',
  ])('allows %s', (url) => {
    expect(assertSafeBaseUrl(url).href).toContain(new URL(url).host);
  });

  it.each(['http://api.cloudflare.com/client/v4', 'http://192.168.1.10:8080', 'http://[::2]:8080', 'http://localhost.example.com'])(
    'refuses clear text to %s',
    (url) => {
      expect(credentialsError(() => assertSafeBaseUrl(url)).message).toContain('refusing to send credentials in clear text');
    },
  );

  it('refuses other schemes and garbage', () => {
    expect(credentialsError(() => assertSafeBaseUrl('ftp://example.com')).message).toContain('https://');
    expect(credentialsError(() => assertSafeBaseUrl('file:///etc/passwd')).message).toContain('https://');
    expect(credentialsError(() => assertSafeBaseUrl('api.cloudflare.com')).message).toContain('not a valid URL');
  });

  it('refuses user info in the URL without repeating it', () => {
    const err = credentialsError(() => assertSafeBaseUrl(`https://user:${TOKEN}@api.example.com/`));
    expect(err.message).toContain('must not contain a user name or password');
  });
});

describe('resolveBaseUrl', () => {
  it('takes the flag first, then CLOUDFLARE_BASE_URL, then the default; trailing slashes trimmed', () => {
    const env = { CLOUDFLARE_BASE_URL: 'https://env.example.com/v4/' };
    expect(resolveBaseUrl('https://flag.example.com/v4//', env)).toBe('https://flag.example.com/v4');
    expect(resolveBaseUrl(undefined, env)).toBe('https://env.example.com/v4');
    expect(resolveBaseUrl(null, {})).toBe(DEFAULT_BASE_URL);
    expect(resolveBaseUrl('', { CLOUDFLARE_BASE_URL: '' })).toBe(DEFAULT_BASE_URL);
  });
});
