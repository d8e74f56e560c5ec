import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevokeApiKeyDocument, SessionAccessDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { checkIfDocumented } from '../helpers/openapi';
import { startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;
let appId: string;
let writer: Awaited<ReturnType<typeof createKey>>;
let reader: Awaited<ReturnType<typeof createKey>>;

beforeAll(async () => {
  server = await startTestServer();
  appId = (await createApp(server.root, 'REST app', { allowedOrigins: ['https://shop.example.com'] })).id;
  writer = await createKey(server.root, { appId, role: 'READ_WRITE', mode: 'LIVE' });
  reader = await createKey(server.root, { appId, role: 'READ_ONLY', mode: 'LIVE' });
});
afterAll(() => server?.close());

// Every response is also checked against the server's /openapi.json.
const call = async (path: string, init: RequestInit & { key?: string } = {}) => {
  const { key, headers, ...rest } = init;
  const response = await fetch(`${server.baseUrl}${path}`, { ...rest, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(headers as Record<string, string>) } });
  await checkIfDocumented(init.method ?? 'GET', path, response);
  return response;
};
const postJson = (path: string, key: string | undefined, body: unknown) =>
  call(path, { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

async function expectError(response: Response, status: number, code: string, extra: Record<string, unknown> = {}) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { error: Record<string, unknown> };
  expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String), ...extra }) });
  expect(Object.keys(body)).toEqual(['error']);
  return body.error;
}

describe('GET /auth/verify', () => {
  it('describes a working key', async () => {
    const response = await call('/auth/verify', { key: writer.secret });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      valid: true,
      type: 'API_KEY',
      key_id: writer.id,
      app_id: appId,
      kind: 'SECRET',
      mode: 'LIVE',
      role: 'READ_WRITE',
      permissions: expect.arrayContaining(['sessions:create', 'keys:read']),
      scopes: ['public', 'read', 'write'],
      expires_at: null,
      owner_id: null,
      meta: null,
      credits: null,
      rate_limit: null,
    });
  });

  it.each([
    ['missing', undefined, 'KEY_MISSING', 'No API key provided'],
    ['malformed', 'sk_live_nope', 'KEY_MALFORMED', 'Invalid API key provided'],
  ])('answers 401 authentication_failed for a %s key', async (_label, key, reason, message) => {
    const error = await expectError(await call('/auth/verify', { key }), 401, 'authentication_failed', { reason, message });
    expect(error.details).toEqual(expect.any(String));
  });

  it('tells a revoked key apart, without echoing it', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE' });
    await server.root.ok(RevokeApiKeyDocument, { id: key.id });
    const response = await call('/auth/verify', { key: key.secret });
    const text = await response.clone().text();
    expect(text).not.toContain(key.secret);
    await expectError(response, 401, 'authentication_failed', { reason: 'KEY_REVOKED', details: 'The API key has been revoked' });
  });
});

describe('POST /session_access', () => {
  it('mints a token with the snake_case body', async () => {
    const response = await postJson('/session_access', writer.secret, {
      user_id: 'u1',
      channel_id: 'c1',
      token_lifetime: 300,
      services: { media: { allow_publish_audio: true, allow_publish_video: false } },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, string>;
    expect(body).toEqual({ token: expect.stringMatching(/^eyJ/), token_id: expect.stringMatching(/^tok_/), expires_at: expect.any(String), refresh_at: expect.any(String) });
    expect(Date.parse(body.expires_at) - Date.parse(body.refresh_at)).toBe(60_000);
  });

  it.each([
    ['malformed JSON', '{"user_id":', undefined, /not valid JSON/],
    ['a missing user_id', {}, 'user_id', /Missing field: user_id/],
    ['a wrong type', { user_id: 'u', token_lifetime: 'long' }, 'token_lifetime', /token_lifetime/],
    ['an unknown field', { user_id: 'u', tokenLifetime: 300 }, 'tokenLifetime', /Unknown field: tokenLifetime/],
    ['an unknown nested field', { user_id: 'u', services: { media: { allow_publish_screen: true } } }, 'services.media.allow_publish_screen', /Unknown field/],
    ['a lifetime out of range (same rule as GraphQL)', { user_id: 'u', token_lifetime: 10 }, 'token_lifetime', /token_lifetime must be between 60/],
  ])('answers 400 invalid_request for %s, naming the field', async (_label, body, field, message) => {
    const error = await expectError(await postJson('/session_access', writer.secret, body), 400, 'invalid_request');
    expect(error.message).toMatch(message);
    if (field) expect(error.field).toBe(field);
  });

  it('answers 403 permission_denied for a READ_ONLY key', async () => {
    await expectError(await postJson('/session_access', reader.secret, { user_id: 'u' }), 403, 'permission_denied', { reason: 'INSUFFICIENT_ROLE' });
  });

  it('answers 405 with the error shape for a wrong method', async () => {
    await expectError(await call('/session_access', { key: writer.secret }), 405, 'invalid_request');
  });
});

describe('POST /oauth/introspect (RFC 7662)', () => {
  async function freshToken() {
    return (await server.client(writer.secret).ok(SessionAccessDocument, { input: { userId: 'u-7', services: { media: { allowPublishVideo: true } } } })).sessionAccess;
  }

  it('answers an active token from a form body with the standard claims', async () => {
    const minted = await freshToken();
    const response = await call('/oauth/introspect', { method: 'POST', key: reader.secret, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: minted.token }).toString() });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toMatchObject({
      active: true,
      sub: 'u-7',
      aud: appId,
      jti: minted.tokenId,
      exp: Date.parse(minted.expiresAt) / 1000,
      iat: expect.any(Number),
      // Sorted: the minting key's effective scopes, session and its media grant.
      scope: 'media:publish_video public read session write',
      client_id: writer.id,
      mode: 'LIVE',
    });
  });

  it('answers exactly {"active":false} for garbage and for a revoked key token (JSON body)', async () => {
    expect(await (await postJson('/oauth/introspect', reader.secret, { token: 'garbage' })).json()).toEqual({ active: false });
    const key = await createKey(server.root, { appId, role: 'READ_WRITE', mode: 'LIVE' });
    const minted = (await server.client(key.secret).ok(SessionAccessDocument, { input: { userId: 'u' } })).sessionAccess;
    await server.root.ok(RevokeApiKeyDocument, { id: key.id });
    expect(await (await postJson('/oauth/introspect', reader.secret, { token: minted.token })).json()).toEqual({ active: false });
  });

  it('requires an authenticated secret key and a token field', async () => {
    await expectError(await postJson('/oauth/introspect', undefined, { token: 'x' }), 401, 'authentication_failed');
    await expectError(await postJson('/oauth/introspect', reader.secret, {}), 400, 'invalid_request', { field: 'token' });
    const pk = await createKey(server.root, { appId, kind: 'PUBLISHABLE', mode: 'LIVE', allowedOrigins: [] });
    await expectError(await postJson('/oauth/introspect', pk.secret, { token: 'x' }), 403, 'permission_denied');
  });
});

describe('GET /auth/forward', () => {
  it('answers 200 with identity headers for a key in Authorization or X-Api-Key', async () => {
    const variants: Record<string, string>[] = [{ authorization: `Bearer ${writer.secret}` }, { 'x-api-key': writer.secret }];
    for (const headers of variants) {
      const response = await call('/auth/forward', { headers });
      expect(response.status).toBe(200);
      expect(Object.fromEntries([...response.headers].filter(([k]) => k.startsWith('x-keygate-')))).toEqual({
        'x-keygate-app-id': appId,
        'x-keygate-key-id': writer.id,
        'x-keygate-mode': 'LIVE',
        'x-keygate-kind': 'SECRET',
        'x-keygate-role': 'READ_WRITE',
        'x-keygate-principal': 'API_KEY',
        // Always the complete set, empty where it does not apply (see forward-headers.ts).
        'x-keygate-user-id': '',
        'x-keygate-token-id': '',
        'x-keygate-owner-id': '',
        'x-keygate-scopes': 'public read write',
      });
    }
  });

  it('accepts a session token and names its user', async () => {
    const minted = (await server.client(writer.secret).ok(SessionAccessDocument, { input: { userId: 'viewer-9' } })).sessionAccess;
    const response = await call('/auth/forward', { key: minted.token });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-keygate-user-id')).toBe('viewer-9');
    expect(response.headers.get('x-keygate-app-id')).toBe(appId);
  });

  it('answers 401 without a credential or with a bad one, 403 for a publishable key from a wrong origin', async () => {
    await expectError(await call('/auth/forward'), 401, 'authentication_failed');
    await expectError(await call('/auth/forward', { key: 'eyJhbGciOiJub25lIn0.e30.' }), 401, 'authentication_failed');
    const pk = await createKey(server.root, { appId, kind: 'PUBLISHABLE', mode: 'LIVE' });
    expect((await call('/auth/forward', { key: pk.secret, headers: { origin: 'https://shop.example.com' } })).status).toBe(200);
    await expectError(await call('/auth/forward', { key: pk.secret, headers: { origin: 'https://evil.example.net' } }), 403, 'permission_denied', { reason: 'ORIGIN_NOT_ALLOWED' });
    await expectError(await call('/auth/forward', { key: writer.secret, headers: { origin: 'https://evil.example.net' } }), 403, 'permission_denied', { reason: 'SECRET_KEY_IN_BROWSER' });
  });
});

describe('GET /metrics', () => {
  it('exposes Prometheus counters for requests, verifications and minted tokens', async () => {
    const response = await call('/metrics');
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/keygate_http_requests_total\{route="auth_verify",method="GET",outcome="2xx"\} \d+/);
    expect(text).toMatch(/keygate_key_verifications_total\{outcome="KEY_REVOKED"\} \d+/);
    expect(text).toMatch(/keygate_tokens_minted_total\{mode="LIVE"\} \d+/);
    expect(text).toContain('keygate_http_request_duration_seconds_bucket');
  });
});
