import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevokeApiKeyDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { type Nginx, type Upstream, nginxForSuite, startNginx, startUpstream } from '../helpers/nginx';
import { IDENTITY_HEADERS } from '../../src/modules/http/routes/forward-headers';
import { type TestServer, startTestServer } from '../helpers/test-server';

/**
 * DESIGN.md "REST surface", GET /auth/forward behind a real nginx (`auth_request`), configured
 * with the guide's block itself (docs/guide.md) (test/helpers/nginx.ts): nginx asks Keygate about every request and only lets the good ones
 * through to the upstream, with Keygate's identity headers attached.
 */

const INSTALLED = nginxForSuite('nginx.test.ts');

let server: TestServer;
let upstream: Upstream;
let nginx: Nginx;
let appId: string;
const SHOP = 'https://shop.example.com';

async function throughNginx(headers: Record<string, string> = {}, path = '/orders/42') {
  const before = upstream.received.length;
  const response = await fetch(`${nginx.url}${path}`, { headers, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  return { status: response.status, text, reachedUpstream: upstream.received.length > before, upstreamHeaders: upstream.received.at(-1) };
}

/** A session token for `userId`, minted over REST with a READ_WRITE key. */
async function mintToken(writerSecret: string, userId: string): Promise<{ token: string; token_id: string }> {
  const minted = await fetch(`${server.baseUrl}/session_access`, {
    method: 'POST',
    headers: { authorization: `Bearer ${writerSecret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ user_id: userId }),
  });
  expect(minted.status).toBe(200);
  return (await minted.json()) as { token: string; token_id: string };
}

describe.skipIf(!INSTALLED)('GET /auth/forward behind a real nginx (auth_request)', () => {
  beforeAll(async () => {
    server = await startTestServer();
    upstream = await startUpstream();
    nginx = await startNginx(Number(new URL(server.baseUrl).port), upstream.port);
    appId = (await createApp(server.root, 'Proxied app')).id;
  }, 60_000);

  afterAll(async () => {
    await nginx?.close();
    await upstream?.close();
    await server?.close();
  });

  it('no key → 401 from nginx, and the upstream is never reached', async () => {
    const result = await throughNginx();
    expect(result.status).toBe(401);
    expect(result.reachedUpstream).toBe(false);
  });

  it('a malformed or unknown key → 401, upstream not reached', async () => {
    for (const key of ['sk_test_not-a-key', 'sk_test_0000000000000000000000000000000000000000']) {
      const result = await throughNginx({ authorization: `Bearer ${key}` });
      expect(result.status).toBe(401);
      expect(result.reachedUpstream).toBe(false);
    }
  });

  it('a good secret key → the upstream is reached with X-Keygate-* identity headers', async () => {
    const key = await createKey(server.root, { appId, kind: 'SECRET', role: 'READ_WRITE', mode: 'LIVE' });
    const result = await throughNginx({ authorization: `Bearer ${key.secret}` });
    expect(result.status).toBe(200);
    expect(result.reachedUpstream).toBe(true);
    expect(JSON.parse(result.text)).toMatchObject({ upstream: true, path: '/orders/42' });
    expect(result.upstreamHeaders).toMatchObject({
      'x-keygate-app-id': appId,
      'x-keygate-key-id': key.id,
      'x-keygate-mode': 'LIVE',
      'x-keygate-kind': 'SECRET',
      'x-keygate-role': 'READ_WRITE',
    });
  });

  it('X-Api-Key works as well as Authorization', async () => {
    const key = await createKey(server.root, { appId, kind: 'SECRET', role: 'READ_ONLY' });
    const result = await throughNginx({ 'x-api-key': key.secret });
    expect(result.status).toBe(200);
    expect(result.upstreamHeaders?.['x-keygate-key-id']).toBe(key.id);
  });

  describe('identity headers a client forges never reach the upstream (docs/guide.md block, verbatim)', () => {
    /** Every X-Keygate-* header /auth/forward can answer, each forged with a tempting value. */
    const FORGED = Object.fromEntries(IDENTITY_HEADERS.map((h) => [h, h === 'x-keygate-role' ? 'ADMIN' : h === 'x-keygate-principal' ? 'ROOT' : h === 'x-keygate-mode' ? 'LIVE' : 'forged']));

    /** What reached the upstream under the X-Keygate-* names: exactly Keygate's answer, nothing of the client's. */
    const identityAtUpstream = (headers: Record<string, unknown> | undefined) =>
      Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => name.startsWith('x-keygate-')));

    it('without a credential, forged headers alone → 401, upstream not reached', async () => {
      const forged = await throughNginx(FORGED);
      expect(forged.status).toBe(401);
      expect(forged.reachedUpstream).toBe(false);
    });

    it('a publishable TEST key: no role, principal API_KEY, mode TEST, no user or token — whatever the client sent', async () => {
      const key = await createKey(server.root, { appId, kind: 'PUBLISHABLE', mode: 'TEST' });
      const result = await throughNginx({ authorization: `Bearer ${key.secret}`, ...FORGED });
      expect(result.status).toBe(200);
      expect(identityAtUpstream(result.upstreamHeaders)).toEqual({
        'x-keygate-app-id': appId,
        'x-keygate-key-id': key.id,
        'x-keygate-mode': 'TEST',
        'x-keygate-kind': 'PUBLISHABLE',
        'x-keygate-principal': 'API_KEY',
        'x-keygate-scopes': 'public',
      });
    });

    it('a session token: its user and token id, no role or kind — whatever the client sent', async () => {
      const writer = await createKey(server.root, { appId, kind: 'SECRET', role: 'READ_WRITE' });
      const { token, token_id } = await mintToken(writer.secret, 'user-9');
      const result = await throughNginx({ authorization: `Bearer ${token}`, ...FORGED });
      expect(result.status).toBe(200);
      expect(identityAtUpstream(result.upstreamHeaders)).toEqual({
        'x-keygate-app-id': appId,
        'x-keygate-key-id': writer.id,
        'x-keygate-mode': 'TEST',
        'x-keygate-user-id': 'user-9',
        'x-keygate-token-id': token_id,
        'x-keygate-scopes': 'public read session write',
      });
    });

    it('/auth/forward itself answers the complete set of identity headers every time', async () => {
      const key = await createKey(server.root, { appId, kind: 'PUBLISHABLE', mode: 'TEST' });
      const direct = await fetch(`${server.baseUrl}/auth/forward`, { headers: { authorization: `Bearer ${key.secret}` } });
      expect(direct.status).toBe(200);
      for (const name of IDENTITY_HEADERS) expect(direct.headers.has(name), name).toBe(true);
      expect(direct.headers.get('x-keygate-role')).toBe('');
    });
  });

  it('a revoked key → 401 at once, upstream not reached', async () => {
    const key = await createKey(server.root, { appId, kind: 'SECRET', role: 'READ_ONLY' });
    expect((await throughNginx({ authorization: `Bearer ${key.secret}` })).status).toBe(200);
    await server.root.ok(RevokeApiKeyDocument, { id: key.id, reason: 'rotated out' });
    const result = await throughNginx({ authorization: `Bearer ${key.secret}` });
    expect(result.status).toBe(401);
    expect(result.reachedUpstream).toBe(false);
  });

  it('a publishable key from an allowed origin passes; from a wrong origin → 403, upstream not reached', async () => {
    const key = await createKey(server.root, { appId, kind: 'PUBLISHABLE', allowedOrigins: [SHOP] });
    const allowed = await throughNginx({ authorization: `Bearer ${key.secret}`, origin: SHOP });
    expect(allowed.status).toBe(200);
    expect(allowed.upstreamHeaders).toMatchObject({ 'x-keygate-key-id': key.id, 'x-keygate-kind': 'PUBLISHABLE' });

    const wrong = await throughNginx({ authorization: `Bearer ${key.secret}`, origin: 'https://evil.example.com' });
    expect(wrong.status).toBe(403);
    expect(wrong.reachedUpstream).toBe(false);
  });

  it('a session token passes with the user it was minted for; a garbled one → 401', async () => {
    const writer = await createKey(server.root, { appId, kind: 'SECRET', role: 'READ_WRITE' });
    const { token, token_id } = await mintToken(writer.secret, 'user-7');

    const result = await throughNginx({ authorization: `Bearer ${token}` });
    expect(result.status).toBe(200);
    expect(result.upstreamHeaders).toMatchObject({ 'x-keygate-app-id': appId, 'x-keygate-key-id': writer.id, 'x-keygate-user-id': 'user-7', 'x-keygate-mode': 'TEST' });
    expect(token_id).toMatch(/^tok_/);

    const garbled = await throughNginx({ authorization: `Bearer ${token.slice(0, -4)}AAAA` });
    expect(garbled.status).toBe(401);
    expect(garbled.reachedUpstream).toBe(false);
  });

  it('nginx logged no error talking to Keygate (every answer was a clean 200/401/403)', () => {
    // auth_request turns any other status into a 500 and logs it; none happened above.
    expect(nginx.errorLog()).not.toMatch(/auth request unexpected status/);
  });
});
