import { ApiError, NetworkError } from '../../src/errors.js';
import type { Transport, TransportRequest } from '../../src/cloudflare/transport.js';
import type { MemoryApi } from './memory-api.js';

/**
 * What goes wrong with one request:
 * - `none`: answered normally
 * - `error-before`: a 500 and the server did nothing
 * - `drop-after`: the server acted, then the connection died before the answer (outcome unknown)
 * - `rate-limited`: a 429 with `retry-after: 0`
 */
export type Fault = 'none' | 'error-before' | 'drop-after' | 'rate-limited';

const BASE = '/client/v4';

function envelope(status: number, result: unknown, errors: Array<{ code: number | null; message: string }> = [], headers: Record<string, string> = {}) {
  return {
    status,
    headers: new Headers({ 'content-type': 'application/json', ...headers }),
    body: JSON.stringify({ success: errors.length === 0, errors, messages: [], result }),
  };
}

/**
 * The real client's Transport seam over an in-memory account (MemoryApi's recorded-API
 * semantics), with a fault chosen per request: the retry, pacing and safe-create code run
 * unchanged. Routes follow the paths the kinds use.
 */
export function memoryTransport(api: MemoryApi, faultFor: (request: TransportRequest) => Fault = () => 'none'): Transport {
  return async (request) => {
    const url = new URL(request.url);
    if (!url.pathname.startsWith(BASE)) return envelope(404, null, [{ code: 7000, message: 'No route for that URI' }]);
    const path = `${url.pathname.slice(BASE.length)}${url.search}`;
    const fault = faultFor(request);
    if (fault === 'error-before') return envelope(500, null, [{ code: 1000, message: 'Internal Server Error' }]);
    if (fault === 'rate-limited') return envelope(429, null, [{ code: 971, message: 'Please wait and consider throttling your request speed' }], { 'retry-after': '0' });

    const body = request.body ? (JSON.parse(request.body) as Record<string, unknown>) : {};
    const isItem = /\/secondary_dns\/[a-z_]+\/[0-9a-f]+$/.test(url.pathname) && url.pathname.startsWith(`${BASE}/accounts/`);
    let result: unknown;
    try {
      if (request.method === 'GET' && (url.pathname === `${BASE}/zones` || (url.pathname.startsWith(`${BASE}/accounts/`) && !isItem))) {
        result = await api.list(path);
      } else if (request.method === 'GET') {
        result = await api.get(path);
        if (result === null) return envelope(404, null, [{ code: 1003, message: 'not found' }]);
      } else if (request.method === 'POST' && url.pathname.startsWith(`${BASE}/accounts/`) && !isItem) {
        result = await api.create(path, body);
      } else if (request.method === 'POST' || request.method === 'PUT') {
        result = await api.send(request.method, path, body);
      } else if (request.method === 'DELETE') {
        await api.remove(path);
        result = { id: url.pathname.split('/').pop() };
      } else {
        return envelope(405, null, [{ code: 7001, message: 'Method not allowed' }]);
      }
    } catch (err) {
      if (err instanceof ApiError) return envelope(err.status, null, err.errors);
      throw err;
    }
    if (fault === 'drop-after') throw new NetworkError(`${request.method} ${url.pathname}`, 'socket hang up', true);
    return envelope(200, result);
  };
}
