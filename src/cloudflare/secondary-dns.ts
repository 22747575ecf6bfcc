/**
 * SecondaryDnsApi over Cloudflare's account-scoped collections
 * (`/accounts/{account_id}/secondary_dns/{tsigs|peers|acls}`).
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
  const collectionPath = (collection: string) =>
    `/accounts/${encodeURIComponent(accountId)}/secondary_dns/${encodeURIComponent(collection)}`;
  const objectPath = (collection: string, id: string) => `${collectionPath(collection)}/${encodeURIComponent(id)}`;

  async function list(collection: string): Promise<ApiObject[]> {
    const path = collectionPath(collection);
    const items = await client.listAll<unknown>(path);
    return items.map((item) => asApiObject(operationName('GET', path), item));
  }

  /**
   * POST, and when its outcome is unknown, find out: the planner creates only names the account
   * did not hold at plan time, so an object with this name now is the one our lost request made.
   * None found: the request never acted, send it again (at most maxRetries times).
   */
  async function create(collection: string, body: Record<string, unknown>): Promise<ApiObject> {
    const path = collectionPath(collection);
    const operation = operationName('POST', path);
    const name = body['name'];
    if (typeof name !== 'string') throw new TypeError(`${operation}: the body needs a string "name"`);

    let lostError: unknown; // of the last POST that was sent and whose outcome is unknown
    try {
      for (let resend = 0; ; resend++) {
        try {
          const { result } = await client.request<unknown>('POST', path, body);
          return asApiObject(operation, result);
        } catch (err) {
          if (!isOutcomeUnknown(err)) throw err;
          lostError = err;
          const namesakes = (await list(collection)).filter((object) => object.name === name);
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

  return { list, create, replace, remove };
}
