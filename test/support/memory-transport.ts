import { NetworkError } from '../../src/errors.js';
import type { Transport, TransportRequest } from '../../src/cloudflare/transport.js';
import { MemoryApi } from './memory-api.js';

/**
 * What goes wrong with one request:
 * - `none`: answered normally
 * - `error-before`: a 500 and the server did nothing
 * - `drop-after`: the server acted, then the connection died before the answer (outcome unknown)
 * - `rate-limited`: a 429 with `retry-after: 0`
 */
export type Fault = 'none' | 'error-before' | 'drop-after' | 'rate-limited';

const ROUTE = /^\/client\/v4\/accounts\/[0-9a-f]{32}\/secondary_dns\/(tsigs|peers)(?:\/([0-9a-f]+))?$/;

function envelope(status: number, result: unknown, errors: Array<{ code: number; message: string }> = [], headers: Record<string, string> = {}) {
  return {
    status,
    headers: new Headers({ 'content-type': 'application/json', ...headers }),
    body: JSON.stringify({ success: errors.length === 0, errors, messages: [], result }),
  };
}

/**
 * The real client's Transport seam over an in-memory account (MemoryApi's Cloudflare semantics),
 * with a fault chosen per request: the retry, pacing and safe-create code run unchanged.
 */
export function memoryTransport(api: MemoryApi, faultFor: (request: TransportRequest) => Fault = () => 'none'): Transport {
  return async (request) => {
    const url = new URL(request.url);
    const match = ROUTE.exec(url.pathname);
    if (!match) return envelope(404, null, [{ code: 7000, message: 'No route for that URI' }]);
    const [, collection, id] = match as unknown as [string, string, string | undefined];
    const fault = faultFor(request);
    if (fault === 'error-before') return envelope(500, null, [{ code: 1000, message: 'Internal Server Error' }]);
    if (fault === 'rate-limited') return envelope(429, null, [{ code: 971, message: 'Please wait and consider throttling your request speed' }], { 'retry-after': '0' });

    const body = request.body ? (JSON.parse(request.body) as Record<string, unknown>) : {};
    let result: unknown;
    try {
      if (request.method === 'GET' && !id) result = await api.list(collection);
      else if (request.method === 'POST' && !id) result = await api.create(collection, body);
      else if (request.method === 'PUT' && id) result = await api.replace(collection, id, body);
      else if (request.method === 'DELETE' && id) result = (await api.remove(collection, id), { id });
      else return envelope(405, null, [{ code: 7001, message: 'Method not allowed' }]);
    } catch {
      return envelope(404, null, [{ code: 1004, message: 'not found' }]);
    }
    if (fault === 'drop-after') throw new NetworkError(`${request.method} ${collection}`, 'socket hang up', true);
    return envelope(200, result);
  };
}
