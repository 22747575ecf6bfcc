/**
 * Account-scoped kinds (TSIGs, peers, ACLs): named objects in one collection
 * (`/accounts/{a}/secondary_dns/{collection}`), observed with one list.
 *
 * Creating sends the whole body in the POST and compares what the answer echoes: the documented
 * peer POST keeps only the name (then one PUT sets the rest), a POST that takes everything needs
 * nothing more. The result never depends on which of the two the API does.
 */
import { accountPath, type ApiObject, type SecondaryDnsApi } from '../cloudflare/api.js';
import { ApiError } from '../errors.js';
import { actualFromApi, apiBody, fieldsDiffering } from './fields.js';
import type { ResourceKind } from './types.js';

export type CollectionKindDefinition = Pick<
  ResourceKind,
  'kind' | 'configKey' | 'label' | 'title' | 'description' | 'fields' | 'nameSchema' | 'canonicalName'
> & {
  /** Path segment of the API collection: `tsigs`, `peers`, `acls`. */
  collection: string;
};

function asObject(operation: string, value: unknown): ApiObject {
  const candidate = value as Partial<ApiObject> | null;
  if (typeof candidate?.id !== 'string' || typeof candidate.name !== 'string') {
    throw new ApiError(operation, 200, [], `${operation}: the answer holds an object without a string "id" and "name"`);
  }
  return candidate as ApiObject;
}

export function collectionKind(def: CollectionKindDefinition): ResourceKind {
  const { collection, fields, canonicalName } = def;
  const listPath = (api: SecondaryDnsApi) => accountPath(api.accountId, collection);
  const itemPath = (api: SecondaryDnsApi, id: string) => accountPath(api.accountId, collection, id);
  const requireId = (id: string | null): string => {
    if (id === null) throw new Error(`${def.label}: no id to write to`);
    return id;
  };

  return {
    ...def,
    scope: 'account',
    async observe(api) {
      const items = await api.list(listPath(api));
      return items.map((item) => actualFromApi(this, asObject(`GET ${collection}`, item)));
    },
    async create(api, target, onCreated) {
      const body = apiBody(fields, target);
      const wanted = canonicalName(target.name);
      const created = await api.create(listPath(api), body, (obj) => canonicalName(obj.name) === wanted);
      onCreated?.(created.id);
      if (fieldsDiffering(fields, body, created).length > 0) await api.send('PUT', itemPath(api, created.id), body);
      return created.id;
    },
    async update(api, target) {
      await api.send('PUT', itemPath(api, requireId(target.id)), apiBody(fields, target));
    },
    async remove(api, target) {
      await api.remove(itemPath(api, requireId(target.id)));
    },
  };
}
