import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyDocument, UpdateApiKeyDocument } from '../generated/graphql';
import { cookieGraphql, signInCookie, VIEWER } from '../helpers/console';
import { createApp, createKey } from '../helpers/fixtures';
import { type TestServer, startTestServer } from '../helpers/test-server';

/**
 * A console session is its key (issue 20, F2): every request through the cookie meets the
 * key's IP allow-list and rate limit as resolved for that request, not only the sign-in.
 * The suite trusts loopback as a proxy, so X-Forwarded-For names the client address.
 */
let server: TestServer;
let appId: string;

beforeAll(async () => {
  server = await startTestServer({ env: { KEYGATE_TRUST_PROXY: '127.0.0.1' } });
  appId = (await createApp(server.root, 'Session controls')).id;
});
afterAll(() => server?.close());

const from = (ip: string) => ({ 'x-forwarded-for': ip });

const CREATE_KEY = `mutation ($appId: ID!) {
  createApiKey(input: { appId: $appId, name: "made in the console", kind: SECRET, mode: LIVE, role: READ_ONLY }) { apiKey { id } }
}`;
const SESSION_ACCESS = 'mutation { sessionAccess(input: { userId: "user-1" }) { token } }';

async function adminSession(extra: Parameters<typeof createKey>[1]['extra'], signInFrom: string) {
  const key = await createKey(server.root, { appId, mode: 'LIVE', role: 'ADMIN', extra });
  return { key, cookie: await signInCookie(server.baseUrl, key.secret, from(signInFrom)) };
}

describe("a console session and its key's IP allow-list", () => {
  it('refuses createApiKey and sessionAccess with 403 FORBIDDEN IP_NOT_ALLOWED from an address outside the list', async () => {
    const { cookie } = await adminSession({ allowedIps: ['203.0.113.0/24'] }, '203.0.113.5');
    const create = await cookieGraphql(server.baseUrl, cookie, CREATE_KEY, from('192.0.2.10'), { appId });
    expect(create.status).toBe(403);
    expect(create.body.data ?? null).toBeNull();
    expect(create.body.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'IP_NOT_ALLOWED' });
    const mint = await cookieGraphql(server.baseUrl, cookie, SESSION_ACCESS, from('192.0.2.10'));
    expect(mint.status).toBe(403);
    expect(mint.body.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'IP_NOT_ALLOWED' });
  });

  it('keeps the session: the key still works from an allowed address, and so does the cookie', async () => {
    const { cookie } = await adminSession({ allowedIps: ['203.0.113.0/24'] }, '203.0.113.5');
    expect((await cookieGraphql(server.baseUrl, cookie, VIEWER, from('192.0.2.10'))).status).toBe(403);
    const create = await cookieGraphql(server.baseUrl, cookie, CREATE_KEY, from('203.0.113.77'), { appId });
    expect(create.status).toBe(200);
    expect(create.body.errors).toBeUndefined();
    expect((await cookieGraphql(server.baseUrl, cookie, SESSION_ACCESS, from('203.0.113.77'))).body.errors).toBeUndefined();
  });

  it('applies a narrowed list on the next request of an open session', async () => {
    const { key, cookie } = await adminSession({ allowedIps: ['203.0.113.0/24'] }, '203.0.113.5');
    expect((await cookieGraphql(server.baseUrl, cookie, VIEWER, from('203.0.113.5'))).status).toBe(200);
    await server.root.ok(UpdateApiKeyDocument, { id: key.id, input: { allowedIps: ['198.51.100.7'] } });
    const refused = await cookieGraphql(server.baseUrl, cookie, CREATE_KEY, from('203.0.113.5'), { appId });
    expect(refused.status).toBe(403);
    expect(refused.body.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'IP_NOT_ALLOWED' });
    expect((await cookieGraphql(server.baseUrl, cookie, VIEWER, from('198.51.100.7'))).status).toBe(200);
  });

  it('applies a list added after sign-in, to a session opened without one', async () => {
    const { key, cookie } = await adminSession({}, '192.0.2.10');
    await server.root.ok(UpdateApiKeyDocument, { id: key.id, input: { allowedIps: ['203.0.113.0/24'] } });
    const refused = await cookieGraphql(server.baseUrl, cookie, VIEWER, from('192.0.2.10'));
    expect(refused.status).toBe(403);
    expect(refused.body.errors?.[0].extensions).toMatchObject({ reason: 'IP_NOT_ALLOWED' });
  });
});

describe("a console session and its key's other controls", () => {
  it("draws from the key's rate limit like the key itself: 429 RATE_LIMITED with Retry-After once it is spent", async () => {
    // Signing in is a use of the key: it spends the first of the three.
    const { cookie } = await adminSession({ rateLimit: { limit: 3, windowSeconds: 3600 } }, '192.0.2.20');
    expect((await cookieGraphql(server.baseUrl, cookie, VIEWER, from('192.0.2.20'))).status).toBe(200);
    expect((await cookieGraphql(server.baseUrl, cookie, VIEWER, from('192.0.2.20'))).status).toBe(200);
    const response = await fetch(`${server.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, origin: server.baseUrl, 'apollo-require-preflight': 'true', ...from('192.0.2.20') },
      body: JSON.stringify({ query: VIEWER }),
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await response.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'RATE_LIMITED' });
  });

  it('spends no credits on management queries (only a minted token costs one, as with the key itself)', async () => {
    const { key, cookie } = await adminSession({ credits: { remaining: 5 } }, '192.0.2.30');
    for (let i = 0; i < 3; i++) expect((await cookieGraphql(server.baseUrl, cookie, VIEWER, from('192.0.2.30'))).status).toBe(200);
    expect((await server.root.ok(ApiKeyDocument, { id: key.id })).apiKey?.credits).toMatchObject({ remaining: 5 });
    expect((await cookieGraphql(server.baseUrl, cookie, SESSION_ACCESS, from('192.0.2.30'))).body.errors).toBeUndefined();
    expect((await server.root.ok(ApiKeyDocument, { id: key.id })).apiKey?.credits).toMatchObject({ remaining: 4 });
  });

  it('still ends for good when the key is disabled (a state failure), unlike an address refusal', async () => {
    const { key, cookie } = await adminSession({}, '192.0.2.40');
    await server.root.ok(UpdateApiKeyDocument, { id: key.id, input: { enabled: false } });
    expect((await cookieGraphql(server.baseUrl, cookie, VIEWER, from('192.0.2.40'))).body.errors?.[0].extensions).toMatchObject({ reason: 'KEY_DISABLED' });
    await server.root.ok(UpdateApiKeyDocument, { id: key.id, input: { enabled: true } });
    expect((await cookieGraphql(server.baseUrl, cookie, VIEWER, from('192.0.2.40'))).body.errors?.[0].extensions).toMatchObject({ reason: 'SESSION_EXPIRED' });
  });
});
