import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionAccessDocument, UpdateApiKeyDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { reasonOf } from '../helpers/graphql-client';
import { restClient, restError } from '../helpers/rest';
import { type TestServer, startTestServer } from '../helpers/test-server';

/**
 * DESIGN.md "Key controls", IP allow-lists: a key with a list is refused (IP_NOT_ALLOWED,
 * 403) from any other client address, as resolved through KEYGATE_TRUST_PROXY. The suite
 * trusts loopback as a proxy, so X-Forwarded-For from 127.0.0.1 names the client address.
 */
let server: TestServer;
let appId: string;
let rest: ReturnType<typeof restClient>;

beforeAll(async () => {
  server = await startTestServer({ env: { KEYGATE_TRUST_PROXY: '127.0.0.1' } });
  appId = (await createApp(server.root, 'IP lists')).id;
  rest = restClient(server.baseUrl);
});
afterAll(() => server?.close());

const from = (ip: string) => ({ 'x-forwarded-for': ip });
const verifyFrom = (key: string, ip: string) => rest.call('/auth/verify', { key, headers: from(ip) });

describe('a key with an IP allow-list', () => {
  let key: Awaited<ReturnType<typeof createKey>>;

  beforeAll(async () => {
    key = await createKey(server.root, { appId, mode: 'LIVE', role: 'READ_WRITE', extra: { allowedIps: ['203.0.113.0/24', '198.51.100.7', '2001:db8:abcd::/48'] } });
  });

  it.each([
    ['an IPv4 address inside a range', '203.0.113.200'],
    ['an exact IPv4 address', '198.51.100.7'],
    ['an IPv6 address inside a range', '2001:db8:abcd:12::1'],
    ['an IPv4-mapped IPv6 address of an allowed IPv4 one', '::ffff:203.0.113.9'],
  ])('works from %s', async (_label, ip) => {
    expect((await verifyFrom(key.secret, ip)).status).toBe(200);
  });

  it.each([
    ['an IPv4 address outside every range', '203.0.114.1'],
    ['a neighbour of the exact address', '198.51.100.8'],
    ['an IPv6 address outside the range', '2001:db8:abce::1'],
    ['an IPv4-mapped IPv6 address of another IPv4 one', '::ffff:192.0.2.1'],
    ['the proxy itself (loopback)', '127.0.0.1'],
  ])('is refused with IP_NOT_ALLOWED 403 from %s', async (_label, ip) => {
    expect(await restError(await verifyFrom(key.secret, ip), 403)).toMatchObject({ code: 'permission_denied', reason: 'IP_NOT_ALLOWED' });
  });

  it('applies on GraphQL, /auth/forward (the forwarded address) and /session_access alike', async () => {
    const outside = server.client(key.secret, from('192.0.2.10'));
    const graphql = await outside.request(SessionAccessDocument, { input: { userId: 'u' } });
    expect(graphql.status).toBe(403);
    expect(reasonOf(graphql)).toBe('IP_NOT_ALLOWED');
    expect(await restError(await rest.call('/auth/forward', { key: key.secret, headers: from('192.0.2.10') }), 403)).toMatchObject({ reason: 'IP_NOT_ALLOWED' });
    expect((await rest.call('/auth/forward', { key: key.secret, headers: from('203.0.113.1') })).status).toBe(200);
    expect(await restError(await rest.postJson('/session_access', key.secret, { user_id: 'u' }, from('192.0.2.10')), 403)).toMatchObject({ reason: 'IP_NOT_ALLOWED' });
    expect((await rest.postJson('/session_access', key.secret, { user_id: 'u' }, from('203.0.113.1'))).status).toBe(200);
  });

  it('honours only trusted proxies: an X-Forwarded-For chain names the nearest untrusted hop', async () => {
    // The client claims an allowed address, but an untrusted hop (192.0.2.50) sits in between.
    expect((await verifyFrom(key.secret, '203.0.113.5, 192.0.2.50')).status).toBe(403);
  });

  describe('reads every X-Forwarded-For form, so a client cannot hide behind one (issue 20 F5)', () => {
    it.each([
      ['an IPv4 address with a port', '203.0.113.9, 198.51.100.1:5555'],
      ['a bracketed IPv6 address with a port', '203.0.113.9, [2001:db8:ffff::1]:5555'],
      ['a bracketed IPv6 address', '203.0.113.9, [2001:db8:ffff::1]'],
    ])('the hop before the trusted proxy, given as %s, is the client: refused', async (_label, chain) => {
      expect(await restError(await verifyFrom(key.secret, chain), 403)).toMatchObject({ code: 'permission_denied', reason: 'IP_NOT_ALLOWED' });
    });

    it.each([
      ['unknown', '203.0.113.9, unknown'],
      ['garbage', '203.0.113.9, 203.0.113.10:port'],
      ['an empty entry', '203.0.113.9, '],
    ])('an entry that is no address (%s) ends the chain: the client is unknown, refused', async (_label, chain) => {
      expect(await restError(await verifyFrom(key.secret, chain), 403)).toMatchObject({ code: 'permission_denied', reason: 'IP_NOT_ALLOWED' });
    });

    it('an allowed client given with a port is allowed', async () => {
      expect((await verifyFrom(key.secret, '203.0.113.9:5555')).status).toBe(200);
      expect((await verifyFrom(key.secret, '[2001:db8:abcd::9]:443')).status).toBe(200);
    });
  });

  it('stops applying once the list is emptied (every process forgets the cached list)', async () => {
    const other = await createKey(server.root, { appId, extra: { allowedIps: ['10.0.0.0/8'] } });
    expect((await verifyFrom(other.secret, '192.0.2.1')).status).toBe(403);
    await server.root.ok(UpdateApiKeyDocument, { id: other.id, input: { allowedIps: [] } });
    expect((await verifyFrom(other.secret, '192.0.2.1')).status).toBe(200);
  });
});

describe('a publishable key with an IP allow-list', () => {
  it('is refused from other addresses too (any key kind)', async () => {
    const key = await createKey(server.root, { appId, kind: 'PUBLISHABLE', extra: { allowedIps: ['2001:db8::1'] } });
    expect((await verifyFrom(key.secret, '2001:db8::1')).status).toBe(200);
    expect((await verifyFrom(key.secret, '2001:db8::2')).status).toBe(403);
  });
});
