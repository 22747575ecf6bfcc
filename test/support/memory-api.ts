import type { ApiObject, SecondaryDnsApi } from '../../src/cloudflare/api.js';
import { ApiError } from '../../src/errors.js';
import { apiName } from '../../src/resources/fields.js';
import { ACCOUNT_KINDS, ZONE_KINDS } from '../../src/resources/index.js';
import type { ResourceKind } from '../../src/resources/types.js';
import { ACCOUNT } from './desired.js';

export interface Call {
  method: 'list' | 'get' | 'create' | 'send' | 'remove';
  /** POST/PUT for `send`. */
  verb?: 'POST' | 'PUT';
  path: string;
  /** The collection (`peers`) or zone link (`incoming`, `outgoing/enable`) the path names. */
  target: string;
  body?: Record<string, unknown>;
}

/** What the docs leave open; both are tested (see shared/cloudflare-api.md). */
export interface MemoryApiBehaviour {
  /** `name-only` (documented): POST /peers keeps only the name. `full-body`: it applies everything. */
  peerPost?: 'name-only' | 'full-body';
  /** `replace`: PUT resets omitted fields. `merge`: omitted fields keep their value. */
  peerPut?: 'replace' | 'merge';
}

export const BEHAVIOURS: Array<Required<MemoryApiBehaviour>> = [
  { peerPost: 'name-only', peerPut: 'replace' },
  { peerPost: 'name-only', peerPut: 'merge' },
  { peerPost: 'full-body', peerPut: 'replace' },
  { peerPost: 'full-body', peerPut: 'merge' },
];

interface Link {
  obj: ApiObject;
  enabled: boolean;
}

const ACCOUNT_PATH = /^\/accounts\/([^/]+)\/secondary_dns\/([a-z_]+)(?:\/([^/?]+))?$/;
const ZONE_PATH = /^\/zones\/([^/]+)\/secondary_dns\/([a-z_]+)(?:\/([a-z_]+))?$/;
const ZONES_LIST = /^\/zones\?/;

function notFound(path: string): ApiError {
  return new ApiError(path, 404, [{ code: 1003, message: 'not found' }], 'not found');
}

function badRequest(path: string, message: string): ApiError {
  return new ApiError(path, 400, [{ code: 1001, message }], message);
}

/**
 * An in-memory account with the live API's recorded semantics, built from the list of kinds:
 * account kinds are collections whose unset fields hold the kind's unset values (a peer without
 * a TSIG has no `tsig_id` at all), TSIG names gain a trailing dot, names are not unique, zone
 * links are singletons per zone (a new outgoing link starts disabled), a peer that a link uses
 * cannot be deleted. Records calls and the peak concurrency.
 */
export class MemoryApi implements SecondaryDnsApi {
  readonly accountId = ACCOUNT;
  readonly store = new Map<string, ApiObject[]>(ACCOUNT_KINDS.map((kind) => [kind.configKey, []]));
  readonly links = new Map<string, Map<string, Link>>();
  readonly zones: Array<{ id: string; name: string }> = [];
  readonly calls: Call[] = [];
  inFlight = 0;
  peakInFlight = 0;
  private nextId = 1;
  /** Return an Error to make that call fail (after recording it). */
  failWhen: (call: Call) => Error | null = () => null;
  delayMs = 0;
  readonly behaviour: Required<MemoryApiBehaviour>;

  constructor(behaviour: MemoryApiBehaviour = {}) {
    this.behaviour = { peerPost: behaviour.peerPost ?? 'name-only', peerPut: behaviour.peerPut ?? 'replace' };
  }

  seed(collection: string, obj: Omit<ApiObject, 'id'> & { id?: string }): ApiObject {
    const stored = this.stored(collection, { ...obj }, obj.id ?? this.newId());
    this.list_(collection).push(stored);
    return this.answer(collection, stored);
  }

  seedZone(name: string, id = this.newId()): { id: string; name: string } {
    const zone = { id, name };
    this.zones.push(zone);
    return zone;
  }

  seedLink(zoneId: string, link: string, fields: Record<string, unknown>, enabled = false): void {
    const zone = this.zones.find((z) => z.id === zoneId);
    const obj = { id: zoneId, name: `${zone?.name ?? zoneId}.`, ...fields } as ApiObject;
    obj.primaries = obj.peers;
    this.linksOf(zoneId).set(link, { obj, enabled });
  }

  /** What the account holds, as the API answers it. */
  objects(collection: string): ApiObject[] {
    return this.list_(collection).map((o) => this.answer(collection, o));
  }

  link(zoneId: string, link: string): (ApiObject & { enabled?: boolean }) | null {
    const found = this.links.get(zoneId)?.get(link);
    return found ? { ...found.obj, ...(link === 'outgoing' ? { enabled: found.enabled } : {}) } : null;
  }

  writes(): Call[] {
    return this.calls.filter((c) => c.method !== 'list' && c.method !== 'get');
  }

  async list(path: string): Promise<unknown[]> {
    if (ZONES_LIST.test(path)) return this.call({ method: 'list', path, target: 'zones' }, () => this.zones.map((z) => ({ ...z })));
    const { collection } = this.accountRoute(path);
    return this.call({ method: 'list', path, target: collection }, () => this.objects(collection));
  }

  async get(path: string): Promise<unknown> {
    const route = this.zoneRoute(path);
    return this.call({ method: 'get', path, target: route.sub ? `${route.link}/${route.sub}` : route.link }, () => {
      const link = this.linksOf(route.zoneId).get(route.link);
      if (route.sub === 'status') return link ? (link.enabled ? 'Enabled' : 'Disabled') : null;
      return link ? { ...link.obj } : null;
    });
  }

  async create(path: string, body: Record<string, unknown>): Promise<ApiObject> {
    const { collection } = this.accountRoute(path);
    return this.call({ method: 'create', path, target: collection, body }, () => {
      const kept = collection === 'peers' && this.behaviour.peerPost === 'name-only' ? { name: body.name } : body;
      const stored = this.stored(collection, kept, this.newId());
      this.list_(collection).push(stored);
      return this.answer(collection, stored);
    });
  }

  async send(verb: 'POST' | 'PUT', path: string, body: Record<string, unknown>): Promise<unknown> {
    if (ACCOUNT_PATH.test(path)) {
      const { collection, id } = this.accountRoute(path);
      return this.call({ method: 'send', verb, path, target: collection, body }, () => {
        const list = this.list_(collection);
        const index = list.findIndex((o) => o.id === id);
        if (verb !== 'PUT' || index < 0) throw notFound(path);
        const base = collection === 'peers' && this.behaviour.peerPut === 'merge' ? list[index]! : {};
        list[index] = this.stored(collection, { ...base, ...body }, id!);
        return this.answer(collection, list[index]!);
      });
    }
    const route = this.zoneRoute(path);
    return this.call({ method: 'send', verb, path, target: route.sub ? `${route.link}/${route.sub}` : route.link, body }, () => {
      const links = this.linksOf(route.zoneId);
      const existing = links.get(route.link);
      if (route.sub === 'enable' || route.sub === 'disable') {
        if (!existing) throw notFound(path);
        existing.enabled = route.sub === 'enable';
        return existing.enabled ? 'Enabled' : 'Disabled';
      }
      if (verb === 'POST' && existing) throw badRequest(path, `${route.link} already exists`);
      if (verb === 'PUT' && !existing) throw notFound(path);
      const peers = Array.isArray(body.peers) ? (body.peers as string[]) : [];
      const unknown = peers.filter((id) => !this.list_('peers').some((p) => p.id === id));
      if (unknown.length > 0) throw badRequest(path, `peers: unknown peer ids ${unknown.join(', ')}`);
      const zone = this.zones.find((z) => z.id === route.zoneId);
      const obj = { ...body, id: route.zoneId, name: `${zone?.name ?? String(body.name)}.`, peers, primaries: peers } as ApiObject;
      links.set(route.link, { obj, enabled: existing?.enabled ?? false });
      return { ...obj };
    });
  }

  async remove(path: string): Promise<void> {
    if (ACCOUNT_PATH.test(path)) {
      const { collection, id } = this.accountRoute(path);
      return this.call({ method: 'remove', path, target: collection }, () => {
        const list = this.list_(collection);
        const index = list.findIndex((o) => o.id === id);
        if (index < 0) throw notFound(path);
        const user = [...this.links.entries()].find(([, links]) => [...links.values()].some((l) => (l.obj.peers as string[]).includes(id!)));
        if (collection === 'peers' && user) throw badRequest(path, `peer ${id} is used by zone ${user[0]}`);
        list.splice(index, 1);
      });
    }
    const route = this.zoneRoute(path);
    return this.call({ method: 'remove', path, target: route.link }, () => {
      if (!this.linksOf(route.zoneId).delete(route.link)) throw notFound(path);
    });
  }

  private kindOfCollection(collection: string): ResourceKind | undefined {
    return ACCOUNT_KINDS.find((k) => k.configKey === collection);
  }

  /** The object as stored: every field of the kind present, unset ones holding their unset value. */
  private stored(collection: string, body: Record<string, unknown>, id: string): ApiObject {
    const kind = this.kindOfCollection(collection);
    const obj: Record<string, unknown> = { ...body, id };
    for (const field of kind?.fields ?? []) {
      const key = apiName(field);
      if (obj[key] === undefined || obj[key] === null) obj[key] = field.unsetValue ?? null;
    }
    if (collection === 'tsigs' && typeof obj.name === 'string' && !obj.name.endsWith('.')) obj.name = `${obj.name}.`;
    return obj as ApiObject;
  }

  /** As the live API answers: an unset reference (`tsig_id`) is left out. */
  private answer(collection: string, obj: ApiObject): ApiObject {
    const copy: Record<string, unknown> = { ...obj };
    for (const field of this.kindOfCollection(collection)?.fields ?? []) {
      if (field.type === 'ref' && (copy[apiName(field)] === '' || copy[apiName(field)] === null)) delete copy[apiName(field)];
    }
    return copy as ApiObject;
  }

  private list_(collection: string): ApiObject[] {
    let list = this.store.get(collection);
    if (!list) {
      list = [];
      this.store.set(collection, list);
    }
    return list;
  }

  private linksOf(zoneId: string): Map<string, Link> {
    if (!this.zones.some((z) => z.id === zoneId)) throw new ApiError(zoneId, 404, [{ code: 7003, message: 'Could not route to zone' }], 'unknown zone');
    let links = this.links.get(zoneId);
    if (!links) {
      links = new Map();
      this.links.set(zoneId, links);
    }
    return links;
  }

  private accountRoute(path: string): { collection: string; id: string | undefined } {
    const match = ACCOUNT_PATH.exec(path);
    if (!match || match[1] !== this.accountId) throw notFound(path);
    return { collection: match[2]!, id: match[3] };
  }

  private zoneRoute(path: string): { zoneId: string; link: string; sub: string | undefined } {
    const match = ZONE_PATH.exec(path);
    if (!match || !ZONE_KINDS.some((k) => k.configKey === match[2])) throw notFound(path);
    return { zoneId: match[1]!, link: match[2]!, sub: match[3] };
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
