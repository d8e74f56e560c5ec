import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IntrospectScopesDocument,
  KeyScopesDocument,
  MintScopedDocument,
  RotateApiKeyDocument,
  SetAppScopesDocument,
  SetKeyScopesDocument,
  ViewerScopesDocument,
} from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { GraphQLClient, codeOf, reasonOf } from '../helpers/graphql-client';
import { allAuditEvents, getJson } from '../helpers/process-harness';
import { type TestServer, startTestServer } from '../helpers/test-server';

/** DESIGN.md "Scopes": apps declare them, keys are granted them, every edge answers them. */
let server: TestServer;
let appId: string;

const DECLARED = [
  { name: 'orders:read', description: 'Read orders' },
  { name: 'orders:refund', description: 'Refund an order' },
  { name: 'reports.export' },
];

beforeAll(async () => {
  server = await startTestServer();
  appId = (await createApp(server.root, 'Scoped')).id;
  await server.root.ok(SetAppScopesDocument, { id: appId, scopes: DECLARED });
});
afterAll(() => server?.close());

const client = (key: string) => new GraphQLClient(server.url, key);
const json = (response: Response): Promise<any> => response.json();
const forward = (key: string, query = '') => fetch(`${server.baseUrl}/auth/forward${query}`, { headers: { authorization: `Bearer ${key}` } });

describe('an app declares its scopes (updateApp scopes, replaced as a whole)', () => {
  it('stores them sorted by name, descriptions trimmed, a missing description null', async () => {
    const other = (await createApp(server.root, 'Declaring')).id;
    const { updateApp } = await server.root.ok(SetAppScopesDocument, { id: other, scopes: [{ name: 'b.x', description: '  Bee  ' }, { name: 'a:y' }] });
    expect(updateApp.scopes).toEqual([
      { name: 'a:y', description: null },
      { name: 'b.x', description: 'Bee' },
    ]);
  });

  it.each([
    ['a name not matching ^[a-z][a-z0-9_.:-]{0,63}$', [{ name: 'Orders' }], 'Scope name "Orders" is not valid'],
    ['a name starting with a digit', [{ name: '1orders' }], 'Scope name "1orders" is not valid'],
    ['a name of 65 characters', [{ name: `a${'b'.repeat(64)}` }], 'is not valid'],
    ['a duplicate', [{ name: 'dup' }, { name: 'dup' }], 'Scope "dup" is declared twice'],
    ['a built-in name', [{ name: 'admin' }], 'Scope "admin" is built in'],
    ['more than 100', Array.from({ length: 101 }, (_, i) => ({ name: `s${i}` })), 'at most 100 scopes'],
  ])('refuses %s: BAD_USER_INPUT, field "scopes", naming the entry; nothing written', async (_label, scopes, message) => {
    const other = (await createApp(server.root, 'Refusing')).id;
    await server.root.ok(SetAppScopesDocument, { id: other, scopes: [{ name: 'kept' }] });
    const result = await server.root.request(SetAppScopesDocument, { id: other, scopes });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0].extensions?.field).toBe('scopes');
    expect(result.errors?.[0].message).toContain(message);
    const after = await server.root.ok(SetAppScopesDocument, { id: other, scopes: [{ name: 'kept' }] });
    expect(after.updateApp.scopes.map((s) => s.name)).toEqual(['kept']);
  });

  it('accepts exactly 100 and a 64-character name', async () => {
    const other = (await createApp(server.root, 'Hundred')).id;
    const scopes = [{ name: `a${'b'.repeat(63)}` }, ...Array.from({ length: 99 }, (_, i) => ({ name: `s${i}` }))];
    const { updateApp } = await server.root.ok(SetAppScopesDocument, { id: other, scopes });
    expect(updateApp.scopes).toHaveLength(100);
  });
});

describe('keys are granted declared scopes', () => {
  it('createApiKey stores the grant sorted; an undeclared name is BAD_USER_INPUT field "scopes"', async () => {
    const key = await createKey(server.root, { appId, extra: { scopes: ['orders:refund', 'orders:read'] } });
    expect((await server.root.ok(KeyScopesDocument, { id: key.id })).apiKey?.scopes).toEqual(['orders:read', 'orders:refund']);
    const refused = await server.root.raw('mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }', {
      input: { appId, name: 'x', kind: 'SECRET', mode: 'TEST', role: 'READ_ONLY', scopes: ['orders:delete'] },
    });
    expect(codeOf(refused)).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0].extensions?.field).toBe('scopes');
    expect(refused.errors?.[0].message).toBe('Scope "orders:delete" is not declared by this app: declare it on the app first (updateApp scopes)');
  });

  it('updateApiKey replaces the grant', async () => {
    const key = await createKey(server.root, { appId, extra: { scopes: ['orders:read'] } });
    const { updateApiKey } = await server.root.ok(SetKeyScopesDocument, { id: key.id, scopes: ['reports.export'] });
    expect(updateApiKey.scopes).toEqual(['reports.export']);
  });

  it('a non-root key grants only custom scopes it holds itself: FORBIDDEN, reason INSUFFICIENT_SCOPE', async () => {
    const admin = await createKey(server.root, { appId, role: 'ADMIN', extra: { scopes: ['orders:read'] } });
    const held = await client(admin.secret).raw('mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { scopes } } }', {
      input: { appId, name: 'ok', kind: 'SECRET', mode: 'TEST', role: 'READ_ONLY', scopes: ['orders:read'] },
    });
    expect(held.errors).toBeUndefined();
    const more = await client(admin.secret).raw('mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }', {
      input: { appId, name: 'more', kind: 'SECRET', mode: 'TEST', role: 'READ_ONLY', scopes: ['orders:read', 'orders:refund'] },
    });
    expect(codeOf(more)).toBe('FORBIDDEN');
    expect(reasonOf(more)).toBe('INSUFFICIENT_SCOPE');
    expect(more.errors?.[0].message).toBe('A key can only grant scopes it holds itself; this key lacks orders:refund');

    const target = await createKey(server.root, { appId, extra: { scopes: ['orders:refund'] } });
    // Keeping what the key has is not granting it; adding one the admin lacks is.
    const keep = await client(admin.secret).request(SetKeyScopesDocument, { id: target.id, scopes: ['orders:refund', 'orders:read'] });
    expect(keep.data?.updateApiKey.scopes).toEqual(['orders:read', 'orders:refund']);
    const add = await client(admin.secret).request(SetKeyScopesDocument, { id: target.id, scopes: ['reports.export'] });
    expect(reasonOf(add)).toBe('INSUFFICIENT_SCOPE');
    expect((await server.root.ok(KeyScopesDocument, { id: target.id })).apiKey?.scopes).toEqual(['orders:read', 'orders:refund']);
  });

  it('a rotation’s new key inherits the grant', async () => {
    const old = await createKey(server.root, { appId, extra: { scopes: ['orders:refund'] } });
    const { rotateApiKey } = await server.root.ok(RotateApiKeyDocument, { id: old.id, gracePeriodSeconds: 60 });
    expect((await server.root.ok(KeyScopesDocument, { id: rotateApiKey.rotation.newKey.id })).apiKey?.scopes).toEqual(['orders:refund']);
    const verified = await getJson(`${server.baseUrl}/auth/verify`, rotateApiKey.secret);
    expect(verified.body.scopes).toEqual(['orders:refund', 'public', 'read']);
  });

  it('audits grants by name only in key.create and key.update details', async () => {
    const key = await createKey(server.root, { appId, extra: { scopes: ['orders:read'] } });
    await server.root.ok(SetKeyScopesDocument, { id: key.id, scopes: ['orders:refund'] });
    const events = (await allAuditEvents(server.url, server.rootKey, appId)).filter((e) => e.targetId === key.id);
    expect(events.find((e) => e.action === 'key.create')?.details).toMatchObject({ scopes: ['orders:read'] });
    expect(events.find((e) => e.action === 'key.update')?.details).toEqual({ changed: ['scopes'], scopes: { added: ['orders:refund'], removed: ['orders:read'] } });
  });
});

describe('effective scopes at every edge: built-in by kind and role, plus the grant', () => {
  it.each([
    ['a publishable key', { kind: 'PUBLISHABLE' as const, role: null }, ['public']],
    ['a READ_ONLY key', { role: 'READ_ONLY' as const }, ['public', 'read']],
    ['a READ_WRITE key', { role: 'READ_WRITE' as const }, ['public', 'read', 'write']],
    ['an ADMIN key with orders:refund', { role: 'ADMIN' as const, extra: { scopes: ['orders:refund'] } }, ['admin', 'orders:refund', 'public', 'read', 'write']],
  ])('%s: Viewer.scopes, /auth/verify "scopes" and X-Keygate-Scopes agree', async (_label, spec, expected) => {
    const key = await createKey(server.root, { appId, ...spec });
    expect((await client(key.secret).ok(ViewerScopesDocument)).viewer.scopes).toEqual(expected);
    expect((await getJson(`${server.baseUrl}/auth/verify`, key.secret)).body.scopes).toEqual(expected);
    const response = await forward(key.secret);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-keygate-scopes')).toBe(expected.join(' '));
  });

  it('a root key has none', async () => {
    expect((await server.root.ok(ViewerScopesDocument)).viewer.scopes).toEqual([]);
    expect((await getJson(`${server.baseUrl}/auth/verify`, server.rootKey)).body.scopes).toEqual([]);
    expect((await forward(server.rootKey)).headers.get('x-keygate-scopes')).toBe('');
  });
});

describe('GET /auth/forward?scope=… requires every listed scope', () => {
  it('answers 200 when the key holds them all', async () => {
    const key = await createKey(server.root, { appId, extra: { scopes: ['orders:refund'] } });
    expect((await forward(key.secret, '?scope=orders:refund&scope=read')).status).toBe(200);
  });

  it('answers 403 permission_denied, reason INSUFFICIENT_SCOPE, naming what is missing; no credit is spent', async () => {
    const key = await createKey(server.root, { appId, extra: { scopes: ['orders:read'], credits: { remaining: 5 } } });
    const response = await forward(key.secret, '?scope=orders:refund&scope=write&scope=orders:read');
    expect(response.status).toBe(403);
    expect(await json(response)).toEqual({
      error: { code: 'permission_denied', message: 'The credential lacks a required scope: orders:refund, write', reason: 'INSUFFICIENT_SCOPE' },
    });
    expect((await getJson(`${server.baseUrl}/auth/verify?cost=0`, key.secret)).body.credits).toEqual({ remaining: 5 });
  });

  it('a root key holds no scope, so any requirement refuses it', async () => {
    expect((await forward(server.rootKey, '?scope=public')).status).toBe(403);
  });
});

describe('session tokens carry a scope claim', () => {
  const mint = (key: string, scopes?: string[], media = false) =>
    client(key).request(MintScopedDocument, { input: { userId: 'u1', scopes, services: media ? { media: { allowPublishAudio: true } } : undefined } });

  it('by default: the minting key’s effective scopes plus session and its media grants', async () => {
    const key = await createKey(server.root, { appId, role: 'READ_WRITE', extra: { scopes: ['orders:read'] } });
    const { data } = await mint(key.secret, undefined, true);
    expect(decodeJwt(data!.sessionAccess.token).scope).toBe('media:publish_audio orders:read public read session write');
  });

  it('asking for fewer narrows them; introspection (GraphQL and RFC 7662) and /auth/forward report them', async () => {
    const key = await createKey(server.root, { appId, role: 'READ_WRITE', extra: { scopes: ['orders:read', 'orders:refund'] } });
    const { data } = await mint(key.secret, ['orders:read']);
    const token = data!.sessionAccess.token;
    expect(decodeJwt(token).scope).toBe('orders:read session');
    expect((await server.root.ok(IntrospectScopesDocument, { token })).introspectToken).toEqual({ active: true, scopes: ['orders:read', 'session'] });
    const rfc = await fetch(`${server.baseUrl}/oauth/introspect`, { method: 'POST', headers: { authorization: `Bearer ${server.rootKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    expect((await json(rfc)).scope).toBe('orders:read session');
    const forwarded = await forward(token);
    expect(forwarded.headers.get('x-keygate-scopes')).toBe('orders:read session');
    expect((await forward(token, '?scope=orders:read')).status).toBe(200);
    const refused = await forward(token, '?scope=orders:refund');
    expect(refused.status).toBe(403);
    expect((await json(refused)).error).toMatchObject({ code: 'permission_denied', reason: 'INSUFFICIENT_SCOPE' });
  });

  it('asking for more is refused (FORBIDDEN, INSUFFICIENT_SCOPE), never silently dropped — GraphQL and REST', async () => {
    const key = await createKey(server.root, { appId, role: 'READ_WRITE', extra: { scopes: ['orders:read'] } });
    const result = await mint(key.secret, ['orders:read', 'admin']);
    expect(codeOf(result)).toBe('FORBIDDEN');
    expect(reasonOf(result)).toBe('INSUFFICIENT_SCOPE');
    const rest = await fetch(`${server.baseUrl}/session_access`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'u1', scopes: ['orders:refund'] }),
    });
    expect(rest.status).toBe(403);
    expect((await json(rest)).error).toEqual({
      code: 'permission_denied',
      message: 'A token can carry only scopes its minting key holds; the key lacks a required scope: orders:refund',
      reason: 'INSUFFICIENT_SCOPE',
    });
    const fewer = await fetch(`${server.baseUrl}/session_access`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'u1', scopes: ['read'] }),
    });
    expect(decodeJwt((await json(fewer)).token).scope).toBe('read session');
  });
});

describe('removing a declared scope takes it from every key at once', () => {
  it('keys lose it, cached verifications and live tokens stop answering it, app.update is audited by name', async () => {
    const own = (await createApp(server.root, 'Withdrawing')).id;
    await server.root.ok(SetAppScopesDocument, { id: own, scopes: [{ name: 'keep' }, { name: 'gone' }] });
    const holders = await Promise.all([0, 1, 2].map(() => createKey(server.root, { appId: own, role: 'READ_WRITE', extra: { scopes: ['gone', 'keep'] } })));
    const bystander = await createKey(server.root, { appId: own, extra: { scopes: ['keep'] } });
    const token = (await client(holders[0].secret).ok(MintScopedDocument, { input: { userId: 'u' } })).sessionAccess.token;
    // Cached in this process: the next answer must not come from a stale entry.
    expect((await getJson(`${server.baseUrl}/auth/verify`, holders[1].secret)).body.scopes).toContain('gone');
    expect((await forward(token, '?scope=gone')).status).toBe(200);

    await server.root.ok(SetAppScopesDocument, { id: own, scopes: [{ name: 'keep' }, { name: 'new' }] });

    for (const key of holders) expect((await server.root.ok(KeyScopesDocument, { id: key.id })).apiKey?.scopes).toEqual(['keep']);
    expect((await server.root.ok(KeyScopesDocument, { id: bystander.id })).apiKey?.scopes).toEqual(['keep']);
    expect((await getJson(`${server.baseUrl}/auth/verify`, holders[1].secret)).body.scopes).toEqual(['keep', 'public', 'read', 'write']);
    expect((await forward(holders[2].secret, '?scope=gone')).status).toBe(403);
    expect((await forward(token, '?scope=gone')).status).toBe(403);
    expect((await server.root.ok(IntrospectScopesDocument, { token })).introspectToken.scopes).toEqual(['keep', 'public', 'read', 'session', 'write']);
    const update = (await allAuditEvents(server.url, server.rootKey, own)).filter((e) => e.action === 'app.update').at(-1);
    expect(update?.details).toEqual({ changed: ['scopes'], scopes: { added: ['new'], removed: ['gone'], keysChanged: 3 } });
  });
});
