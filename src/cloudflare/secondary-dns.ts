/**
 * SecondaryDnsApi over the Cloudflare client: the REST verbs the resource kinds use.
 */
import { AmbiguousObjectError, ApiError, NotSentError } from '../errors.js';
import type { ApiObject, SecondaryDnsApi } from './api.js';
import { operationName, type CloudflareClient } from './client.js';
import { isOutcomeUnknown } from './retry.js';

function asApiObject(operation: string, value: unknown): ApiObject {
  const candidate = value as Partial<ApiObject> | null;
  if (typeof candidate?.id !== 'string' || typeof candidate.name !== 'string') {
    throw new ApiError(operation, 200, [], `${operation}: the answer holds an object without a string "id" and "name"`);
  }
  return candidate as ApiObject;
}

export function createSecondaryDnsApi(client: CloudflareClient, accountId: string): SecondaryDnsApi {
  async function list(path: string): Promise<unknown[]> {
    return client.listAll<unknown>(path);
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
   * POST, and when its outcome is unknown, find out: the planner creates only names the account
   * did not hold at plan time, so an object of ours there now is the one our lost request made.
   * None found: the request never acted, send it again (at most maxRetries times).
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
          const namesakes = (await list(path)).map((item) => asApiObject(operationName('GET', path), item)).filter(isOurs);
          const [only] = namesakes;
          if (only && namesakes.length === 1) {
            client.logger.warn(
              { operation, objectName: name, id: only.id },
              `${operation}: adopted "${name}" (${only.id}), created by a request whose answer was lost`,
            );
            return only;
          }
          if (namesakes.length > 1) throw new AmbiguousObjectError(operation, name, namesakes.map((object) => object.id));
          if (resend >= client.maxRetries) throw err;
          client.logger.warn(
            { operation, objectName: name, resend: resend + 1 },
            `${operation}: the lost request did not create "${name}"; sending it again`,
          );
        }
      }
    } catch (err) {
      // A lookup or resend held back as the run stops was not sent, but a POST was: the object may
      // exist, so the outcome is that POST's, never "not sent".
      throw err instanceof NotSentError && lostError !== undefined ? lostError : err;
    }
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

  return { accountId, list, get, create, send, remove };
}
