import type { ApiObject, SecondaryDnsApi } from '../../src/cloudflare/api.js';
import { ApiError } from '../../src/errors.js';

export interface Call {
  method: 'list' | 'create' | 'replace' | 'remove';
  collection: string;
  id?: string;
  body?: Record<string, unknown>;
}

/**
 * An in-memory account with Cloudflare's semantics (POST /peers keeps only the name, PUT
 * replaces the whole object, names not unique), recording calls and the peak concurrency.
 */
export class MemoryApi implements SecondaryDnsApi {
  readonly store = new Map<string, ApiObject[]>([
    ['tsigs', []],
    ['peers', []],
  ]);
  readonly calls: Call[] = [];
  inFlight = 0;
  peakInFlight = 0;
  private nextId = 1;
  /** Return an Error to make that call fail (after recording it). */
  failWhen: (call: Call) => Error | null = () => null;
  delayMs = 0;

  seed(collection: string, obj: Omit<ApiObject, 'id'> & { id?: string }): ApiObject {
    const full = { ...obj, id: obj.id ?? this.newId() } as ApiObject;
    this.store.get(collection)!.push(full);
    return full;
  }

  objects(collection: string): ApiObject[] {
    return this.store.get(collection)!.map((o) => ({ ...o }));
  }

  writes(): Call[] {
    return this.calls.filter((c) => c.method !== 'list');
  }

  async list(collection: string): Promise<ApiObject[]> {
    return this.call({ method: 'list', collection }, () => this.objects(collection));
  }

  async create(collection: string, body: Record<string, unknown>): Promise<ApiObject> {
    return this.call({ method: 'create', collection, body }, () => {
      const obj: ApiObject =
        collection === 'peers'
          ? { id: this.newId(), name: String(body.name), ip: '', port: 0, ixfr_enable: false, tsig_id: '' }
          : ({ ...body, id: this.newId() } as ApiObject);
      this.store.get(collection)!.push(obj);
      return { ...obj };
    });
  }

  async replace(collection: string, id: string, body: Record<string, unknown>): Promise<ApiObject> {
    return this.call({ method: 'replace', collection, id, body }, () => {
      const list = this.store.get(collection)!;
      const index = list.findIndex((o) => o.id === id);
      if (index < 0) throw new ApiError(`PUT ${collection}/${id}`, 404, [{ code: 1003, message: 'not found' }], 'not found');
      const fresh = collection === 'peers' ? { ip: '', port: 0, ixfr_enable: false, tsig_id: '' } : {};
      list[index] = { ...fresh, ...body, id } as ApiObject;
      return { ...list[index]! };
    });
  }

  async remove(collection: string, id: string): Promise<void> {
    return this.call({ method: 'remove', collection, id }, () => {
      const list = this.store.get(collection)!;
      const index = list.findIndex((o) => o.id === id);
      if (index < 0) throw new ApiError(`DELETE ${collection}/${id}`, 404, [{ code: 1003, message: 'not found' }], 'not found');
      list.splice(index, 1);
    });
  }

  private async call<T>(call: Call, act: () => T): Promise<T> {
    this.calls.push(call);
    this.inFlight += 1;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, this.delayMs));
      const failure = this.failWhen(call);
      if (failure) throw failure;
      return act();
    } finally {
      this.inFlight -= 1;
    }
  }

  private newId(): string {
    return (this.nextId++).toString(16).padStart(32, '0');
  }
}
