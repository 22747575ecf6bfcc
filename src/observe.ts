import type { SecondaryDnsApi } from './cloudflare/api.js';
import { KINDS, actualFromApi } from './resources/index.js';
import type { ActualState } from './resources/types.js';

/** Reads the account: one list call per collection, all at once. */
export async function observeAccount(api: SecondaryDnsApi): Promise<ActualState> {
  const lists = await Promise.all(KINDS.map(async (spec) => (await api.list(spec.collection)).map((obj) => actualFromApi(spec, obj))));
  return { resources: lists.flat() };
}
