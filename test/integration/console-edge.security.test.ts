import { parseSetCookie } from 'cookie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieGraphql, postSession, signInCookie, VIEWER } from '../helpers/console';
import { createApp, createKey } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/test-server';

const CONSOLE_ORIGIN = 'https://console.example.com';
let server: TestServer;
let cookie: string;
let appId: string;

beforeAll(async () => {
  // Trusting the loopback proxy lets a request say it came over HTTPS (X-Forwarded-Proto).
  server = await startTestServer({ env: { KEYGATE_CONSOLE_ORIGINS: CONSOLE_ORIGIN, KEYGATE_TRUST_PROXY: '127.0.0.1' } });
  cookie = await signInCookie(server.baseUrl, server.rootKey);
  appId = (await createApp(server.root, 'Edge app')).id;
});
afterAll(() => server?.close());

describe('the console cookie at /graphql (CSRF)', () => {
  it('is accepted from the configured console origins', async () => {
    const { status, body } = await cookieGraphql(server.baseUrl, cookie, VIEWER, { origin: CONSOLE_ORIGIN });
    expect(status).toBe(200);
    expect(body.data).toMatchObject({ viewer: { type: 'ROOT' } });
  });

  it('is refused from another origin: 403 FORBIDDEN, ORIGIN_NOT_ALLOWED', async () => {
    const { status, body } = await cookieGraphql(server.baseUrl, cookie, VIEWER, { origin: 'http://evil.example.test' });
    expect(status).toBe(403);
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ORIGIN_NOT_ALLOWED' });
    expect(body.data).toBeUndefined();
  });

  it("is refused from Apollo Sandbox's origin, which bearer keys may use outside production", async () => {
    const { status } = await cookieGraphql(server.baseUrl, cookie, VIEWER, { origin: 'https://studio.apollographql.com' });
    expect(status).toBe(403);
  });

  it('is refused without an Origin header', async () => {
    const response = await fetch(`${server.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'apollo-require-preflight': 'true' },
      body: JSON.stringify({ query: VIEWER }),
    });
    expect(response.status).toBe(403);
  });

  it("is refused without Apollo's CSRF header, even from the console origin", async () => {
    const { status, body } = await cookieGraphql(server.baseUrl, cookie, VIEWER, { 'apollo-require-preflight': '' });
    expect(status).toBe(403);
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ORIGIN_NOT_ALLOWED' });
  });

  it('accepts x-apollo-operation-name as the CSRF header too', async () => {
    const { status } = await cookieGraphql(server.baseUrl, cookie, VIEWER, { 'apollo-require-preflight': '', 'x-apollo-operation-name': 'Viewer' });
    expect(status).toBe(200);
  });

  it('answers a made-up cookie with 401 SESSION_EXPIRED', async () => {
    const { status, body } = await cookieGraphql(server.baseUrl, 'keygate_console=madeup', VIEWER);
    expect(status).toBe(401);
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_EXPIRED' });
  });
});

describe('the console cookie elsewhere', () => {
  it.each([
    ['GET', '/auth/verify'],
    ['GET', '/auth/forward'],
    ['POST', '/session_access'],
  ])('is no credential at %s %s (401)', async (method, path) => {
    const response = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { cookie, origin: server.baseUrl, 'content-type': 'application/json', 'apollo-require-preflight': 'true' },
      body: method === 'POST' ? JSON.stringify({ user_id: 'u1' }) : undefined,
    });
    expect(response.status).toBe(401);
  });
});

describe('opening a session', () => {
  it("is refused from another site's page (login CSRF): 403, no cookie", async () => {
    const response = await postSession(server.baseUrl, { key: server.rootKey }, { origin: 'http://evil.example.test' });
    expect(response.status).toBe(403);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('takes only JSON, which a cross-site form cannot send without a preflight (415)', async () => {
    const response = await postSession(server.baseUrl, JSON.stringify({ key: server.rootKey }), { 'content-type': 'text/plain' });
    expect(response.status).toBe(415);
  });

  it('marks the cookie Secure when the request came over HTTPS', async () => {
    const response = await postSession(server.baseUrl, { key: server.rootKey }, { 'x-forwarded-proto': 'https', origin: server.baseUrl.replace('http:', 'https:') });
    expect(response.status).toBe(204);
    expect(parseSetCookie(response.headers.get('set-cookie') ?? '')).toMatchObject({ secure: true, httpOnly: true, sameSite: 'strict' });
  });

  it('stores neither the cookie value nor the key, only their HMACs', async () => {
    const admin = await createKey(server.root, { appId, role: 'ADMIN', mode: 'LIVE' });
    const own = await signInCookie(server.baseUrl, admin.secret);
    const value = own.split('=')[1];
    const rows = (await server.keygate.runtime.orm.em.fork().getConnection().execute('select * from console_sessions')) as Record<string, unknown>[];
    const stored = JSON.stringify(rows);
    expect(rows.length).toBeGreaterThan(0);
    expect(stored).not.toContain(value);
    expect(stored).not.toContain(admin.secret);
    expect(stored).not.toContain(server.rootKey);
    expect(server.logs.join('')).not.toContain(value);
  });
});

describe('guessing keys at the sign-in', () => {
  it("spends the client IP's failed-authentication budget like any other endpoint (429)", async () => {
    const guarded = await startTestServer({ env: { KEYGATE_AUTH_FAILURES_PER_IP: '3' } });
    try {
      const guess = `${guarded.rootKey.slice(0, -8)}AAAAAAAA`;
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await postSession(guarded.baseUrl, { key: guess })).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
      // Spent: even the right key waits now.
      const right = await postSession(guarded.baseUrl, { key: guarded.rootKey });
      expect(right.status).toBe(429);
      expect(await right.json()).toEqual({ error: expect.objectContaining({ code: 'rate_limited' }) });
    } finally {
      await guarded.close();
    }
  });
});
