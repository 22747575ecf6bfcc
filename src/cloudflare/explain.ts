/**
 * What a user can do about an error answer, beyond Cloudflare's own words: the hint appended to
 * "GET tsigs: HTTP 403: [9109] Unauthorized to access requested resource".
 *
 * Known from Cloudflare's answers (docs, SDK issues, recordings):
 *   - 9109 "Unauthorized to access requested resource": the token is valid but cannot act on that
 *     account (wrong account id, or the account is not among the token's resources / permissions);
 *     "Cannot use the access token from location: <ip>" is 9109 too (the token's IP filter).
 *   - 10000 "Authentication error": a token Cloudflare does not accept (invalid, expired, revoked,
 *     wrong key/email) — and, for some endpoints, a valid token without the permission. dnsctl tells
 *     the two apart by asking `GET /user/tokens/verify` (see TokenState).
 * A guess, not seen in a recording: an account without Secondary DNS (an Enterprise feature the
 * account team enables) is refused with a message about entitlement; other products answer
 * "You are not entitled to use …" or "….not_entitled". Any such message gets the Enterprise hint.
 */
import type { CloudflareErrorDetail } from '../errors.js';

/** What `GET /user/tokens/verify` said about the token; 'unknown' when it could not tell. */
export type TokenState = 'active' | 'invalid' | 'unknown';

export const AUTH_ERROR_CODE = 10000;
export const ACCOUNT_ACCESS_CODE = 9109;
/** 400 "Invalid request headers" (its error_chain: 6111 "Invalid format for Authorization header", 6103 for X-Auth-Key). */
export const INVALID_HEADERS_CODE = 6003;

/** Words of a refusal for a feature the account does not have: "entitle" on any 4xx, the rest only on 401/403. */
const NOT_ENTITLED = /entitle/i;
const NOT_ENTITLED_IF_REFUSED = /not enabled|enterprise|account team|not available (on|for) (your|this) (plan|account)/i;
const IP_FILTER = /from location|ip address/i;

export function accountOf(path: string): string | undefined {
  return /^\/accounts\/([^/?]+)/.exec(path)?.[1];
}

export function isAuthError(status: number, errors: CloudflareErrorDetail[]): boolean {
  return (status === 401 || status === 403) && errors.some((e) => e.code === AUTH_ERROR_CODE);
}

/** The hint for an error answer, starting with " — ", or "" when there is nothing to add. */
export function hintFor(
  status: number,
  errors: CloudflareErrorDetail[],
  path: string,
  credentials: 'token' | 'key',
  token: TokenState = 'unknown',
): string {
  const account = accountOf(path);
  const onAccount = account ? ` on account ${account}` : '';
  const refused = status === 401 || status === 403;
  if (status >= 400 && errors.some((e) => NOT_ENTITLED.test(e.message) || (refused && NOT_ENTITLED_IF_REFUSED.test(e.message)))) {
    return ` — Secondary DNS is not enabled${onAccount}: it is an Enterprise feature that your Cloudflare account team enables; ask them to turn it on`;
  }
  const codes = new Set(errors.map((e) => e.code));
  if (status === 400 && codes.has(INVALID_HEADERS_CODE)) {
    return credentials === 'token'
      ? ' — Cloudflare cannot read the Authorization header: CLOUDFLARE_API_TOKEN must hold the token alone (no "Bearer ", no quotes)'
      : ' — Cloudflare cannot read the X-Auth-Email / X-Auth-Key headers: CLOUDFLARE_API_KEY must be the Global API Key (or use CLOUDFLARE_API_TOKEN)';
  }
  if (/invalid api token/i.test(errors.map((e) => e.message).join(' '))) {
    return ' — the API token is invalid, expired or revoked: check CLOUDFLARE_API_TOKEN, or create a token with the "Account Settings Write" permission';
  }
  if (refused) {
    if (codes.has(ACCOUNT_ACCESS_CODE)) {
      if (errors.some((e) => IP_FILTER.test(e.message))) {
        return ' — the API token is limited to other client IP addresses: allow this machine\'s address in the token\'s "Client IP Address Filtering"';
      }
      return account
        ? ` — the token cannot access account ${account}: the account id is wrong (check account_id / CLOUDFLARE_ACCOUNT_ID), or the token's "Account Resources" do not include it`
        : ' — the token cannot access this resource: check the account id and the token\'s "Account Resources"';
    }
    if (codes.has(AUTH_ERROR_CODE)) {
      if (credentials === 'key') {
        return ' — Cloudflare refused CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY: check both (the key is the Global API Key, not a token), or use CLOUDFLARE_API_TOKEN';
      }
      if (token === 'invalid') {
        return ' — the API token is invalid, expired or revoked: check CLOUDFLARE_API_TOKEN, or create a token with the "Account Settings Write" permission';
      }
      if (token === 'active') {
        return ` — the API token is valid but lacks the permission${onAccount}: give it "Account Settings Write" ("Account Settings Read" is enough for plan)`;
      }
    }
    return ' — the API token needs the "Account Settings Write" permission on this account ("Account Settings Read" to list)';
  }
  if (status === 404 && account) {
    const isObject = /\/secondary_dns\/[^/?]+\/[^/?]+/.test(path);
    return isObject
      ? ` — the object no longer exists, or the account id ${account} is wrong`
      : ` — the account id ${account} may be wrong`;
  }
  return '';
}

/** The warning printed at the end of an apply for a name whose re-sent POST made a second object. */
export function describeResentDuplicate(duplicate: { collection: string; name: string; ids: string[] }): string {
  return (
    `${duplicate.collection} "${duplicate.name}": its POST was sent again after a lost answer, and the account now holds ` +
    `${duplicate.ids.length} objects with that name (ids ${duplicate.ids.join(', ')}); delete the extra one(s)`
  );
}
