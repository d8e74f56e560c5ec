import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevokeApiKeyDocument, SessionAccessDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { restClient, restError } from '../helpers/rest';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * What OAuth resource servers expect of an authorization server (DESIGN.md, "Token
 * algorithms and the verifiers in the wild"): RFC 8414 metadata, RFC 7662 client
 * authentication at introspection, and a WWW-Authenticate challenge on every 401.
 */
let server: TestServer;
let rest: ReturnType<typeof restClient>;
let reader: Awaited<ReturnType<typeof createKey>>;
let token: string;

beforeAll(async () => {
  server = await startTestServer();
  rest = restClient(server.baseUrl);
  const appId = (await createApp(server.root, 'OAuth app')).id;
  const writer = await createKey(server.root, { appId, role: 'READ_WRITE', mode: 'LIVE' });
  reader = await createKey(server.root, { appId, role: 'READ_ONLY', mode: 'LIVE' });
  token = (await server.client(writer.secret).ok(SessionAccessDocument, { input: { userId: 'u-1' } })).sessionAccess.token;
});
afterAll(() => server?.close());

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('GET /.well-known/oauth-authorization-server (RFC 8414)', () => {
  it('names the issuer, the JWKS and the introspection endpoint with its client authentication methods', async () => {
    const response = await rest.call('/.well-known/oauth-authorization-server');
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    const issuer = server.keygate.runtime.issuer;
    expect(metadata).toMatchObject({
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      introspection_endpoint: `${issuer}/oauth/introspect`,
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      response_types_supported: [],
    });
    // The URLs it names answer.
    expect((await fetch(`${server.baseUrl}/.well-known/jwks.json`)).status).toBe(200);
  });
});

describe('POST /oauth/introspect client authentication (RFC 7662 §2.1)', () => {
  it('accepts client_secret_basic: HTTP Basic with the secret key as the password, any client id', async () => {
    const response = await rest.call('/oauth/introspect', { method: 'POST', headers: { ...FORM, authorization: basic('resource-server', reader.secret) }, body: form({ token }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ active: true, sub: 'u-1' });
  });

  it('accepts client_secret_post: the secret key in the client_secret form field', async () => {
    const response = await rest.call('/oauth/introspect', { method: 'POST', headers: FORM, body: form({ token, client_id: 'rs', client_secret: reader.secret }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ active: true, sub: 'u-1' });
  });

  it('refuses Basic credentials with a wrong, revoked or missing secret as 401 invalid_token, never as an inactive token', async () => {
    const revoked = await createKey(server.root, { appId: (await createApp(server.root, 'gone')).id, role: 'READ_ONLY', mode: 'LIVE' });
    await server.root.ok(RevokeApiKeyDocument, { id: revoked.id });
    for (const authorization of [basic('rs', `${reader.secret.slice(0, -1)}x`), basic('rs', revoked.secret), basic('rs', ''), 'Basic !!!']) {
      const response = await rest.call('/oauth/introspect', { method: 'POST', headers: { ...FORM, authorization }, body: form({ token }) });
      expect(await restError(response, 401)).toMatchObject({ code: 'authentication_failed' });
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="keygate", error="invalid_token"');
    }
  });

  it('prefers an Authorization header to a client_secret in the body (one credential is judged, never the better of two)', async () => {
    const response = await rest.call('/oauth/introspect', { method: 'POST', headers: { ...FORM, authorization: 'Bearer sk_live_nonsense' }, body: form({ token, client_secret: reader.secret }) });
    expect(await restError(response, 401)).toMatchObject({ reason: 'KEY_MALFORMED' });
  });

  it('never echoes the client secret in an error', async () => {
    const wrong = `${reader.secret.slice(0, -1)}x`;
    const response = await rest.call('/oauth/introspect', { method: 'POST', headers: FORM, body: form({ token, client_secret: wrong }) });
    expect(JSON.stringify(await restError(response, 401))).not.toContain(wrong);
    expect(server.logs.join('')).not.toContain(wrong);
  });
});

describe('WWW-Authenticate on every 401 (RFC 9110 §15.5.2, RFC 6750 §3)', () => {
  it('REST: a bare Bearer challenge without a credential, error="invalid_token" with a bad one', async () => {
    const missing = await rest.call('/auth/verify');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="keygate"');
    const bad = await rest.call('/auth/verify', { key: 'sk_live_nonsense' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe('Bearer realm="keygate", error="invalid_token"');
  });

  it('forward-auth: a session token that does not verify', async () => {
    const response = await rest.call('/auth/forward', { key: `${token.slice(0, -2)}xx` });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="keygate", error="invalid_token"');
  });

  it('GraphQL: a request refused before execution', async () => {
    const missing = await server.client(undefined).raw('{ viewer { type } }');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="keygate"');
    const bad = await server.client('sk_live_nonsense').raw('{ viewer { type } }');
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe('Bearer realm="keygate", error="invalid_token"');
  });

  it('no challenge on answers that are not 401', async () => {
    const ok = await rest.call('/auth/verify', { key: reader.secret });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('www-authenticate')).toBeNull();
  });
});
