import { parseSetCookie } from 'cookie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEventsDocument, RevokeApiKeyDocument } from '../generated/graphql';
import { ManualClock } from '../../src/shared/clock';
import { cookieGraphql, postSession, signInCookie, VIEWER } from '../helpers/console';
import { createApp, createKey } from '../helpers/fixtures';
import { documentedFetch } from '../helpers/openapi';
import { startTestServer, type TestServer } from '../helpers/test-server';

const clock = new ManualClock(new Date('2026-06-01T10:00:00Z'));
let server: TestServer;
let appId: string;

beforeAll(async () => {
  server = await startTestServer({ clock });
  appId = (await createApp(server.root, 'Console app')).id;
});
afterAll(() => server?.close());

describe('POST /console/session', () => {
  it('opens a session for the root key: 204 and an HttpOnly, SameSite=Strict cookie on /', async () => {
    const response = await postSession(server.baseUrl, { key: server.rootKey });
    expect(response.status).toBe(204);
    const cookie = parseSetCookie(response.headers.get('set-cookie') ?? '');
    expect(cookie).toMatchObject({ name: 'keygate_console', httpOnly: true, sameSite: 'strict', path: '/' });
    // Plain HTTP here: Secure would make the browser drop it.
    expect(cookie.secure).toBeFalsy();
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { status, body } = await cookieGraphql(server.baseUrl, `${cookie.name}=${cookie.value}`, VIEWER);
    expect(status).toBe(200);
    expect(body.data).toEqual({ viewer: { type: 'ROOT', keyId: expect.any(String), mode: null, role: null } });
  });

  it('acts as a secret app key, in its own mode, and audits console.sign_in', async () => {
    const admin = await createKey(server.root, { appId, role: 'ADMIN', mode: 'TEST' });
    const cookie = await signInCookie(server.baseUrl, admin.secret);
    const { body } = await cookieGraphql(server.baseUrl, cookie, VIEWER);
    expect(body.data).toEqual({ viewer: { type: 'API_KEY', keyId: admin.id, mode: 'TEST', role: 'ADMIN' } });
    const audit = await server.root.ok(AuditEventsDocument, { appId, mode: 'TEST' });
    expect(audit.auditEvents.nodes.find((e) => e.action === 'console.sign_in')).toMatchObject({ actorId: admin.id, targetId: admin.id, mode: 'TEST' });
  });

  it('refuses publishable keys with 403 permission_denied', async () => {
    const publishable = await createKey(server.root, { appId, kind: 'PUBLISHABLE', mode: 'LIVE' });
    const response = await postSession(server.baseUrl, { key: publishable.secret });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: expect.objectContaining({ code: 'permission_denied', reason: 'INSUFFICIENT_ROLE' }) });
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a wrong key with 401 authentication_failed and sets no cookie', async () => {
    const response = await postSession(server.baseUrl, { key: `${server.rootKey.slice(0, -8)}AAAAAAAA` });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: expect.objectContaining({ code: 'authentication_failed' }) });
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('answers 400 invalid_request with field key for a body without a key', async () => {
    const response = await postSession(server.baseUrl, { secret: 'x' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.objectContaining({ code: 'invalid_request', field: 'key' }) });
  });
});

describe('a console session over time', () => {
  it('ends after 30 minutes idle: UNAUTHENTICATED with reason SESSION_EXPIRED', async () => {
    const cookie = await signInCookie(server.baseUrl, server.rootKey);
    clock.advance(29 * 60_000);
    expect((await cookieGraphql(server.baseUrl, cookie, VIEWER)).status).toBe(200);
    // The use above restarted the idle timer.
    clock.advance(29 * 60_000);
    expect((await cookieGraphql(server.baseUrl, cookie, VIEWER)).status).toBe(200);
    clock.advance(30 * 60_000);
    const { status, body } = await cookieGraphql(server.baseUrl, cookie, VIEWER);
    expect(status).toBe(401);
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_EXPIRED' });
  });

  it('ends 12 hours after sign-in however active it is', async () => {
    const cookie = await signInCookie(server.baseUrl, server.rootKey);
    for (let i = 0; i < 24; i++) {
      clock.advance(29 * 60_000);
      expect((await cookieGraphql(server.baseUrl, cookie, VIEWER)).status).toBe(200);
    }
    clock.advance(25 * 60_000);
    expect((await cookieGraphql(server.baseUrl, cookie, VIEWER)).status).toBe(401);
  });

  it('dies with its key: revoking the key ends the session at once, for good', async () => {
    const admin = await createKey(server.root, { appId, role: 'ADMIN', mode: 'LIVE' });
    const cookie = await signInCookie(server.baseUrl, admin.secret);
    expect((await cookieGraphql(server.baseUrl, cookie, VIEWER)).status).toBe(200);
    await server.root.ok(RevokeApiKeyDocument, { id: admin.id });
    const { status, body } = await cookieGraphql(server.baseUrl, cookie, VIEWER);
    expect(status).toBe(401);
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'KEY_REVOKED' });
    expect((await cookieGraphql(server.baseUrl, cookie, VIEWER)).body.errors?.[0].extensions).toMatchObject({ reason: 'SESSION_EXPIRED' });
  });

  it('dies when its key expires', async () => {
    const admin = await createKey(server.root, { appId, role: 'ADMIN', mode: 'LIVE', expiresAt: new Date(clock.now().getTime() + 10 * 60_000).toISOString() });
    const cookie = await signInCookie(server.baseUrl, admin.secret);
    clock.advance(11 * 60_000);
    const { status, body } = await cookieGraphql(server.baseUrl, cookie, VIEWER);
    expect(status).toBe(401);
    expect(body.errors?.[0].extensions).toMatchObject({ reason: 'KEY_EXPIRED' });
  });
});

describe('DELETE /console/session', () => {
  it('ends the session server-side, clears the cookie and audits console.sign_out', async () => {
    const admin = await createKey(server.root, { appId, role: 'ADMIN', mode: 'LIVE' });
    const cookie = await signInCookie(server.baseUrl, admin.secret);
    const response = await documentedFetch(server.baseUrl, '/console/session', { method: 'DELETE', headers: { cookie, origin: server.baseUrl } });
    expect(response.status).toBe(204);
    expect(parseSetCookie(response.headers.get('set-cookie') ?? '')).toMatchObject({ name: 'keygate_console', value: '', maxAge: 0 });
    // The old cookie value is worthless now, even if a browser kept it.
    const { status, body } = await cookieGraphql(server.baseUrl, cookie, VIEWER);
    expect(status).toBe(401);
    expect(body.errors?.[0].extensions).toMatchObject({ reason: 'SESSION_EXPIRED' });
    const audit = await server.root.ok(AuditEventsDocument, { appId, mode: 'LIVE' });
    expect(audit.auditEvents.nodes.filter((e) => e.action === 'console.sign_out')).toEqual([expect.objectContaining({ actorId: admin.id, targetId: admin.id })]);
  });
});
