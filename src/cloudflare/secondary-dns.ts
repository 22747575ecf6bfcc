/**
 * SecondaryDnsApi over the Cloudflare client: the REST verbs the resource kinds use, and a create
 * that never creates twice.
 */
import { AmbiguousObjectError, ApiError, NotSentError } from '../errors.js';
import type { ApiObject, ResentDuplicate, SecondaryDnsApi } from './api.js';
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

export function createSecondaryDnsApi(client: CloudflareClient, accountId: string, options: SecondaryDnsOptions = {}): SecondaryDnsApi {
  const lookupDelaysMs = options.lookupDelaysMs ?? DEFAULT_LOOKUP_DELAYS_MS;
  /** Names whose POST was sent again: re-checked for duplicates at the end of the run. */
  const resent: Array<{ path: string; name: string; isOurs: (obj: ApiObject) => boolean }> = [];

  async function list(path: string): Promise<unknown[]> {
    return client.listAll<unknown>(path);
  }

  async function listObjects(path: string): Promise<ApiObject[]> {
    return (await list(path)).map((item) => asApiObject(operationName('GET', path), item));
  }

  async function get(path: string): Promise<unknown> {
    try {
      return (await client.request<unknown>('GET', path)).result;
    } catch (err) {
      // 7003: the zone (or account) itself does not exist, which is no absent link.
      if (err instanceof ApiError && err.status === 404 && !err.errors.some((e) => e.code === 7003)) return null;
      throw err;
    }
  }

  /**
   * The objects of ours after a POST whose outcome is unknown. An empty list is believed only
   * after it stayed empty through every delay of `lookupDelaysMs`.
   */
  async function findAfterLostPost(path: string, name: string, isOurs: (obj: ApiObject) => boolean, operation: string): Promise<ApiObject[]> {
    for (let attempt = 0; ; attempt++) {
      const namesakes = (await listObjects(path)).filter(isOurs);
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
   * did not hold at plan time, so an object of ours there now is the one our lost request made.
   * None found (after a few lists, see findAfterLostPost): the request never acted, send it again
   * (at most maxRetries times, never when the server said `x-should-retry: false`).
   */
  async function create(path: string, body: Record<string, unknown>, isOurs: (obj: ApiObject) => boolean): Promise<ApiObject> {
    const operation = operationName('POST', path);
    const name = String(body['name']);

    let lostError: unknown; // of the last POST that was sent and whose outcome is unknown
    try {
      for (let resend = 0; ; resend++) {
        try {
          const { result } = await client.request<unknown>('POST', path, body);
          return asApiObject(operation, result);
        } catch (err) {
          if (!isOutcomeUnknown(err)) throw err;
          lostError = err;
          const namesakes = await findAfterLostPost(path, name, isOurs, operation);
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
          if (!resent.some((r) => r.path === path && r.name === name)) resent.push({ path, name, isOurs });
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
    for (const path of new Set(resent.map((r) => r.path))) {
      const objects = await listObjects(path);
      for (const { name, isOurs } of resent.filter((r) => r.path === path)) {
        const ids = objects.filter(isOurs).map((object) => object.id);
        if (ids.length > 1) duplicates.push({ collection: path.split('/').pop() ?? path, name, ids });
      }
    }
    return duplicates;
  }

  async function send(method: 'POST' | 'PUT', path: string, body: Record<string, unknown>): Promise<unknown> {
    return (await client.request<unknown>(method, path, body)).result;
  }

  /** A 404 means the object is already gone (e.g. a retried DELETE whose first answer was lost). */
  async function remove(path: string): Promise<void> {
    try {
      await client.request<unknown>('DELETE', path);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
      client.logger.info({ operation: operationName('DELETE', path) }, 'already gone');
    }
  }

  return { accountId, list, get, create, send, remove, recheckResent };
}
