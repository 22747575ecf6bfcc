import type { DesiredResource, DesiredState } from '../../src/resources/types.js';
import { Secret } from '../../src/secret.js';

export const ACCOUNT = '01a7362d577a6c3019a474fd6f485823';

export function tsig(name: string, secret: string, algo = 'hmac-sha512.'): DesiredResource {
  return { kind: 'tsig', name, values: { algo, secret: new Secret(secret) } };
}

export function peer(name: string, fields: { ip?: string; port?: number; ixfr_enable?: boolean; tsig?: string | null } = {}): DesiredResource {
  return {
    kind: 'peer',
    name,
    values: { ip: fields.ip ?? '192.0.2.1', port: fields.port ?? 53, ixfr_enable: fields.ixfr_enable ?? false, tsig: fields.tsig ?? null },
  };
}

export function desired(...resources: DesiredResource[]): DesiredState {
  return { accountId: ACCOUNT, resources };
}
