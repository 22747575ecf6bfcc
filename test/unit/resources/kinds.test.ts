/**
 * The kinds' own behaviour: observing, write steps and bodies, against the in-memory account.
 */
import { ACCOUNT_KINDS } from '../../../src/resources/index.js';
import { describe, expect, it } from 'vitest';
import { accountPath, zonePath } from '../../../src/cloudflare/api.js';
import { NetworkError, UnknownZoneError } from '../../../src/errors.js';
import { observeAccount } from '../../../src/observe.js';
import { apiBody, fieldsDiffering, readField } from '../../../src/resources/fields.js';
import { incomingKind } from '../../../src/resources/incoming.js';
import { canonicalKeyName, canonicalZoneName } from '../../../src/resources/names.js';
import { outgoingKind } from '../../../src/resources/outgoing.js';
import { peerKind } from '../../../src/resources/peer.js';
import { tsigKind } from '../../../src/resources/tsig.js';
import type { WriteTarget } from '../../../src/resources/types.js';
import { Secret } from '../../../src/secret.js';
import { zone } from '../../support/desired.js';
import { MemoryApi, type Call } from '../../support/memory-api.js';

const ZONE_ID = '269d8f4853475ca241c4e730be286b20';
const describeCall = (c: Call) => `${c.verb ?? c.method} ${c.target}`;

function peerTarget(fields: Partial<Record<string, unknown>> = {}, id: string | null = null): WriteTarget {
  return { name: 'p1', id, zoneId: null, fields: { ip: '192.0.2.1', port: 53, ixfr_enable: false, tsig: null, ...fields } };
}

describe('names', () => {
  it('canonical TSIG names are lower case with exactly one trailing dot; zone names without one', () => {
    expect(['Key.Example', 'key.example.', 'KEY.EXAMPLE..'].map(canonicalKeyName)).toEqual(['key.example.', 'key.example.', 'key.example.']);
    expect(['Example.COM.', 'example.com', 'example.com..'].map(canonicalZoneName)).toEqual(['example.com', 'example.com', 'example.com']);
  });
});

describe('fields', () => {
  it('sends every field, an unset one as the API\'s unset value, and reveals a secret only in the body', () => {
    expect(apiBody(peerKind.fields, peerTarget({ ip: null, port: null }))).toEqual({ name: 'p1', ip: '', port: 0, ixfr_enable: false, tsig_id: '' });
    const body = apiBody(tsigKind.fields, { name: 'k.', id: null, zoneId: null, fields: { algo: 'hmac-sha256.', secret: new Secret('czE=') } });
    expect(body).toEqual({ name: 'k.', algo: 'hmac-sha256.', secret: 'czE=' });
  });

  it('reads the API\'s unset values and unknown shapes without crashing', () => {
    const [ip, port, ixfr, tsig] = peerKind.fields;
    expect([readField(ip!, ''), readField(port!, 0), readField(ixfr!, undefined), readField(tsig!, undefined), readField(tsig!, '')]).toEqual([null, null, false, null, null]);
    expect(readField(ip!, { v6: '::1' })).toBe('{"v6":"::1"}');
    expect(readField(ip!, 'not an address')).toBe('not an address');
  });

  it('an answer that does not echo a secret is no difference; a field the POST dropped is', () => {
    const sent = apiBody(tsigKind.fields, { name: 'k.', id: null, zoneId: null, fields: { algo: 'hmac-sha256.', secret: new Secret('czE=') } });
    expect(fieldsDiffering(tsigKind.fields, sent, { id: 't', name: 'k.', algo: 'HMAC-SHA256.' })).toEqual([]);
    const peerBody = apiBody(peerKind.fields, peerTarget({ port: 5353, tsig: 'tsig-id' }));
    expect(fieldsDiffering(peerKind.fields, peerBody, { id: 'p', name: 'p1', ip: '', port: 0, ixfr_enable: false })).toEqual(['ip', 'port', 'tsig']);
  });
});

describe('account kinds', () => {
  it('a peer create is one POST when the API keeps the whole body, POST + PUT when it keeps only the name', async () => {
    for (const [peerPost, expected] of [
      ['full-body', ['create peers']],
      ['name-only', ['create peers', 'PUT peers']],
    ] as const) {
      const api = new MemoryApi({ peerPost });
      const created: string[] = [];
      const id = await peerKind.create(api, peerTarget({ port: 5353 }), (made) => created.push(made));
      expect(api.writes().map(describeCall)).toEqual(expected);
      expect(created).toEqual([id]);
      expect(api.objects('peers')).toEqual([{ id, name: 'p1', ip: '192.0.2.1', port: 5353, ixfr_enable: false }]);
    }
  });

  it('reports the id of a peer as soon as its POST made it, even when the PUT then fails', async () => {
    const api = new MemoryApi({ peerPost: 'name-only' });
    api.failWhen = (call) => (call.verb === 'PUT' ? new Error('connection reset') : null);
    const created: string[] = [];
    await expect(peerKind.create(api, peerTarget(), (id) => created.push(id))).rejects.toThrow('connection reset');
    expect(created).toEqual([api.objects('peers')[0]!.id]);
  });

  it('updates with one PUT of the whole body to the object, and removes it', async () => {
    const api = new MemoryApi({ peerPut: 'merge' });
    const obj = api.seed('peers', { name: 'p1', ip: '192.0.2.1', port: 53, ixfr_enable: true, tsig_id: 'gone' });
    await peerKind.update(api, peerTarget({}, obj.id), ['ixfr_enable', 'tsig']);
    expect(api.writes().map((c) => [describeCall(c), c.path, c.body])).toEqual([
      ['PUT peers', accountPath(api.accountId, 'peers', obj.id), { name: 'p1', ip: '192.0.2.1', port: 53, ixfr_enable: false, tsig_id: '' }],
    ]);
    expect(api.objects('peers')).toEqual([{ id: obj.id, name: 'p1', ip: '192.0.2.1', port: 53, ixfr_enable: false }]);
    await peerKind.remove(api, peerTarget({}, obj.id));
    expect(api.objects('peers')).toEqual([]);
  });

  it('observes TSIG names as the account spells them; the planner canonicalises', async () => {
    const api = new MemoryApi();
    api.seed('tsigs', { name: 'Key.Example', algo: 'hmac-sha512.', secret: 's' });
    const [found] = await tsigKind.observe(api, []);
    expect(found).toMatchObject({ kind: 'tsig', name: 'Key.Example.', values: { algo: 'hmac-sha512.' } });
    expect(tsigKind.canonicalName(found!.name)).toBe('key.example.');
  });
});

describe('zone links', () => {
  function withZone() {
    const api = new MemoryApi();
    api.seedZone('example.com.', ZONE_ID);
    const p1 = api.seed('peers', { name: 'p1', ip: '192.0.2.1', port: 53, ixfr_enable: false });
    const p2 = api.seed('peers', { name: 'p2', ip: '192.0.2.2', port: 53, ixfr_enable: false });
    return { api, p1, p2 };
  }
  const linkTarget = (fields: Record<string, unknown>): WriteTarget => ({ name: 'example.com', id: ZONE_ID, zoneId: ZONE_ID, fields });

  it('creating outgoing POSTs the link (without `enabled`), then enables it', async () => {
    const { api, p1 } = withZone();
    expect(await outgoingKind.create(api, linkTarget({ peers: [p1.id], enabled: true }))).toBe(ZONE_ID);
    const writes = api.writes();
    expect(writes.map((c) => [describeCall(c), c.path])).toEqual([
      ['POST outgoing', zonePath(ZONE_ID, 'outgoing')],
      ['POST outgoing/enable', zonePath(ZONE_ID, 'outgoing/enable')],
    ]);
    expect(writes[0]!.body).toEqual({ name: 'example.com', peers: [p1.id] });
    expect(api.link(ZONE_ID, 'outgoing')).toMatchObject({ peers: [p1.id], enabled: true });
  });

  it('an update of `enabled` alone is the action only; a change of peers is one PUT of the body', async () => {
    const { api, p1, p2 } = withZone();
    api.seedLink(ZONE_ID, 'outgoing', { peers: [p1.id] }, true);
    await outgoingKind.update(api, linkTarget({ peers: [p1.id], enabled: false }), ['enabled']);
    await outgoingKind.update(api, linkTarget({ peers: [p2.id], enabled: false }), ['peers']);
    expect(api.writes().map((c) => [describeCall(c), c.body])).toEqual([
      ['POST outgoing/disable', {}],
      ['PUT outgoing', { name: 'example.com', peers: [p2.id] }],
    ]);
    expect(api.link(ZONE_ID, 'outgoing')).toMatchObject({ peers: [p2.id], enabled: false });
  });

  it('after a lost link POST that did act, PUTs the body instead of a second POST', async () => {
    const { api, p1 } = withZone();
    let lost = false;
    const send = api.send.bind(api);
    api.send = async (verb, path, body) => {
      const answer = await send(verb, path, body);
      if (verb === 'POST' && !lost) {
        lost = true;
        throw new NetworkError('POST incoming', 'socket hang up', true);
      }
      return answer;
    };
    await incomingKind.create(api, linkTarget({ peers: [p1.id], auto_refresh_seconds: 3600 }));
    expect(api.calls.map(describeCall)).toEqual(['POST incoming', 'get incoming', 'PUT incoming']);
    expect(api.link(ZONE_ID, 'incoming')).toMatchObject({ peers: [p1.id], auto_refresh_seconds: 3600 });
  });

  it('observing reads each declared zone\'s links, and the outgoing status only where an outgoing link exists', async () => {
    const { api, p1 } = withZone();
    api.seedZone('example.org', 'bbbb');
    api.seedLink(ZONE_ID, 'outgoing', { peers: [p1.id] }, true);
    api.seedLink('bbbb', 'incoming', { peers: [p1.id], auto_refresh_seconds: 300 });
    const want = { zones: [zone('example.com', ZONE_ID), zone('example.org', 'bbbb')] };
    const actual = await observeAccount(api, want);
    expect(api.calls.map((c) => `${describeCall(c)} ${c.path.split('/')[2]}`).sort()).toEqual(
      [
        ...ACCOUNT_KINDS.map((kind) => `list ${kind.configKey} ${api.accountId}`),
        `get incoming ${ZONE_ID}`,
        `get outgoing ${ZONE_ID}`,
        `get outgoing/status ${ZONE_ID}`,
        'get incoming bbbb',
        'get outgoing bbbb',
      ].sort(),
    );
    expect(actual.resources.filter((r) => r.kind === 'incoming' || r.kind === 'outgoing')).toEqual([
      { kind: 'incoming', id: 'bbbb', name: 'example.org', zoneId: 'bbbb', values: { auto_refresh_seconds: 300 }, refIds: { peers: [p1.id] } },
      { kind: 'outgoing', id: ZONE_ID, name: 'example.com', zoneId: ZONE_ID, values: { enabled: true }, refIds: { peers: [p1.id] } },
    ]);
  });

  it('resolves zones declared without an id by name (case, trailing dot) with one zone list', async () => {
    const { api } = withZone();
    api.seedZone('Example.ORG.', 'bbbb');
    const want = { zones: [zone('EXAMPLE.com'), zone('example.org.'), zone('example.net', 'cccc')] };
    api.seedZone('example.net', 'cccc');
    const actual = await observeAccount(api, want);
    expect(actual.zones).toEqual([
      { name: 'example.com', id: ZONE_ID },
      { name: 'example.org', id: 'bbbb' },
      { name: 'example.net', id: 'cccc' },
    ]);
    expect(api.calls.filter((c) => c.target === 'zones')).toHaveLength(1);
  });

  it('an unknown zone name is an error naming it, before any link is read', async () => {
    const { api } = withZone();
    const err = await observeAccount(api, { zones: [zone('example.com'), zone('missing.example')] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownZoneError);
    expect((err as Error).message).toContain('"missing.example" not found in account');
    expect((err as Error).message).not.toContain('"example.com"');
    expect(api.calls.map((c) => c.method)).toEqual(['list']);
  });
});
