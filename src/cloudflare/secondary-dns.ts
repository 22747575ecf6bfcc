/**
 * SecondaryDnsApi over Cloudflare's account-scoped collections
 * (`/accounts/{account_id}/secondary_dns/{tsigs|peers|acls}`).
 */
import { AmbiguousObjectError, ApiError, NotSentError } from '../errors.js';
import type { ApiObject, CreateOptions, ResentDuplicate, SecondaryDnsApi } from './api.js';
import { operationName, type CloudflareClient } from './client.js';
import { isOutcomeUnknown } from './retry.js';

function asApiObject(operation: string, value: unknown): ApiObject {
  const candidate = value as Partial<ApiObject> | null;
  if (typeof candidate?.id !== 'string' || typeof candidate.name !== 'string') {
    throw new ApiError(operation, 200, [], `${operation}: the answer holds an object without a string "id" and "name"`);
  }
  return candidate as ApiObject;
}

export interface SecondaryDnsOptions {
  /**
   * Waits between the lists that look for the object of a lost POST: a list read just after the
   * POST may not show it yet (a stale read), so "not found" is believed only after these.
   * Default 0.25 s, 0.5 s, 1 s (four lists at most).
   */
  lookupDelaysMs?: number[];
}

const DEFAULT_LOOKUP_DELAYS_MS = [250, 500, 1_000];
const exactly = (a: string, b: string) => a === b;

export function createSecondaryDnsApi(client: CloudflareClient, accountId: string, options: SecondaryDnsOptions = {}): SecondaryDnsApi {
  const lookupDelaysMs = options.lookupDelaysMs ?? DEFAULT_LOOKUP_DELAYS_MS;
  /** Names whose POST was sent again: re-checked for duplicates at the end of the run. */
  const resent: Array<{ collection: string; name: string; sameName: (a: string, b: string) => boolean }> = [];
  const collectionPath = (collection: string) =>
    `/accounts/${encodeURIComponent(accountId)}/secondary_dns/${encodeURIComponent(collection)}`;
  const objectPath = (collection: string, id: string) => `${collectionPath(collection)}/${encodeURIComponent(id)}`;

  async function list(collection: string): Promise<ApiObject[]> {
    const path = collectionPath(collection);
    const items = await client.listAll<unknown>(path);
    return items.map((item) => asApiObject(operationName('GET', path), item));
  }

  /**
   * The objects that carry `name` after a POST whose outcome is unknown. An empty list is
   * believed only after it stayed empty through every delay of `lookupDelaysMs`.
   */
  async function findAfterLostPost(collection: string, name: string, sameName: (a: string, b: string) => boolean, operation: string) {
    for (let attempt = 0; ; attempt++) {
      const namesakes = (await list(collection)).filter((object) => sameName(object.name, name));
      const delay = lookupDelaysMs[attempt];
      if (namesakes.length > 0 || delay === undefined) return namesakes;
      client.logger.info({ operation, objectName: name, attempt: attempt + 1 }, `${operation}: "${name}" not listed yet; looking again`);
      try {
        await client.sleep(delay);
      } catch {
        throw new NotSentError(operation); // the run is stopping
      }
    }
  }

  /**
   * POST, and when its outcome is unknown, find out: the planner creates only names the account
   * did not hold at plan time, so an object with this name now is the one our lost request made.
   * None found (after a few lists, see findAfterLostPost): the request never acted, send it again
   * (at most maxRetries times, never when the server said `x-should-retry: false`).
   */
  async function create(collection: string, body: Record<string, unknown>, createOptions: CreateOptions = {}): Promise<ApiObject> {
    const path = collectionPath(collection);
    const operation = operationName('POST', path);
    const name = body['name'];
    if (typeof name !== 'string') throw new TypeError(`${operation}: the body needs a string "name"`);
    const sameName = createOptions.sameName ?? exactly;

    let lostError: unknown; // of the last POST that was sent and whose outcome is unknown
    try {
      for (let resend = 0; ; resend++) {
        try {
          const { result } = await client.request<unknown>('POST', path, body);
          return asApiObject(operation, result);
        } catch (err) {
          if (!isOutcomeUnknown(err)) throw err;
          lostError = err;
          const namesakes = await findAfterLostPost(collection, name, sameName, operation);
          const [only] = namesakes;
          if (only && namesakes.length === 1) {
            client.logger.warn(
              { operation, objectName: name, id: only.id },
              `${operation}: adopted "${name}" (${only.id}), created by a request whose answer was lost`,
            );
            return only;
          }
          if (namesakes.length > 1) throw new AmbiguousObjectError(operation, name, namesakes.map((object) => object.id));
          if (resend >= client.maxRetries || (err instanceof ApiError && err.shouldRetry === false)) throw err;
          client.logger.warn(
            { operation, objectName: name, resend: resend + 1 },
            `${operation}: the lost request did not create "${name}"; sending it again`,
          );
          if (!resent.some((r) => r.collection === collection && r.name === name)) resent.push({ collection, name, sameName });
        }
      }
    } catch (err) {
      // A lookup or resend held back as the run stops was not sent, but a POST was: the object may
      // exist, so the outcome is that POST's, never "not sent".
      throw err instanceof NotSentError && lostError !== undefined ? lostError : err;
    }
  }

  /** One list per collection with a re-sent name; the names that now have several objects. */
  async function recheckResent(): Promise<ResentDuplicate[]> {
    const duplicates: ResentDuplicate[] = [];
    for (const collection of new Set(resent.map((r) => r.collection))) {
      const objects = await list(collection);
      for (const { name, sameName } of resent.filter((r) => r.collection === collection)) {
        const ids = objects.filter((object) => sameName(object.name, name)).map((object) => object.id);
        if (ids.length > 1) duplicates.push({ collection, name, ids });
      }
    }
    return duplicates;
  }

  async function replace(collection: string, id: string, body: Record<string, unknown>): Promise<ApiObject> {
    const path = objectPath(collection, id);
    const { result } = await client.request<unknown>('PUT', path, body);
    return asApiObject(operationName('PUT', path), result);
  }

  /** A 404 means the object is already gone (e.g. a retried DELETE whose first answer was lost). */
  async function remove(collection: string, id: string): Promise<void> {
    const path = objectPath(collection, id);
    try {
      await client.request<unknown>('DELETE', path);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
      client.logger.info({ operation: operationName('DELETE', path) }, 'already gone');
    }
  }

  return { list, create, replace, remove, recheckResent };
}
