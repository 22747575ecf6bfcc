import { canonicalKeyName, canonicalZoneName } from '../../src/resources/names.js';
import type { DesiredResource, DesiredState, ManageMode, ZoneRef } from '../../src/resources/types.js';
import { Secret } from '../../src/secret.js';

export const ACCOUNT = '01a7362d577a6c3019a474fd6f485823';

/** A TSIG as the config loader makes it: the name canonical (lower case, one trailing dot). */
export function tsig(name: string, secret: string, algo = 'hmac-sha512.'): DesiredResource {
  return { kind: 'tsig', name: canonicalKeyName(name), values: { algo, secret: new Secret(secret) } };
}

export function peer(
  name: string,
  fields: { ip?: string | null; port?: number | null; ixfr_enable?: boolean; tsig?: string | null; previousNames?: string[] } = {},
): DesiredResource {
  const ip = fields.ip === undefined ? '192.0.2.1' : fields.ip;
  return {
    kind: 'peer',
    name,
    values: {
      ip,
      port: fields.port === undefined ? (ip === null ? null : 53) : fields.port,
      ixfr_enable: fields.ixfr_enable ?? false,
      tsig: fields.tsig ? canonicalKeyName(fields.tsig) : null,
    },
    ...(fields.previousNames ? { previousNames: fields.previousNames } : {}),
  };
}

export function acl(name: string, ipRange: string): DesiredResource {
  return { kind: 'acl', name, values: { ip_range: ipRange } };
}

export function zone(name: string, id: string | null = null): ZoneRef {
  return { name: canonicalZoneName(name), id };
}

export function incoming(zoneRef: ZoneRef, peers: string[], autoRefreshSeconds = 86_400): DesiredResource {
  return { kind: 'incoming', name: zoneRef.name, zone: zoneRef, values: { peers: [...peers].sort(), auto_refresh_seconds: autoRefreshSeconds } };
}

export function outgoing(zoneRef: ZoneRef, peers: string[], enabled = true): DesiredResource {
  return { kind: 'outgoing', name: zoneRef.name, zone: zoneRef, values: { peers: [...peers].sort(), enabled } };
}

export function desired(...resources: DesiredResource[]): DesiredState {
  const zones = [...new Map(resources.flatMap((r) => (r.zone ? [[r.zone.name, r.zone] as const] : []))).values()];
  return { accountId: ACCOUNT, resources, zones };
}

/** What an apply records about itself, for tests that build state files from plans. */
export const RUN_FACTS = {
  version: 'test',
  configPath: 'dnsctl.yaml',
  configSha256: 'x',
  accountId: ACCOUNT,
  startedAt: new Date(0),
  finishedAt: new Date(0),
  interrupted: false,
  salt: 'salt',
};

export function withManage(state: DesiredState, manage: ManageMode): DesiredState {
  return { ...state, manage };
}
