import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyDocument, AppKeysDocument, RevokeApiKeyDocument, UpdateApiKeyDocument, ViewerDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { codeOf, reasonOf } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;
let appId: string;

beforeAll(async () => {
  server = await startTestServer();
  appId = (await createApp(server.root, 'Keys app')).id;
});
afterAll(() => server?.close());

describe('createApiKey', () => {
  it('returns a secret key value once, in the contract format, and stores only its start', async () => {
    const key = await createKey(server.root, { appId, kind: 'SECRET', mode: 'LIVE', role: 'ADMIN', name: 'backend' });
    expect(key.secret).toMatch(/^sk_live_[0-9A-Za-z]{38}$/);
    expect(key.start).toBe(key.secret.slice(0, 'sk_live_'.length + 4));
    expect(key).toMatchObject({ kind: 'SECRET', mode: 'LIVE', role: 'ADMIN', status: 'ACTIVE', publishableKey: null, name: 'backend' });
    const read = await server.root.ok(ApiKeyDocument, { id: key.id });
    expect(JSON.stringify(read)).not.toContain(key.secret);
  });

  it('keeps the full value of a publishable key readable, with the app origins as default', async () => {
    const app = await createApp(server.root, 'Web app', { allowedOrigins: ['https://shop.example.com'] });
    const key = await createKey(server.root, { appId: app.id, kind: 'PUBLISHABLE', mode: 'TEST' });
    expect(key.secret).toMatch(/^pk_test_[0-9A-Za-z]{38}$/);
    expect(key.publishableKey).toBe(key.secret);
    expect(key.role).toBeNull();
    expect(key.allowedOrigins).toEqual(['https://shop.example.com']);
  });

  it('makes a key that authenticates as itself', async () => {
    const key = await createKey(server.root, { appId, role: 'READ_WRITE', mode: 'TEST' });
    const viewer = await server.client(key.secret).ok(ViewerDocument);
    expect(viewer.viewer).toMatchObject({ type: 'API_KEY', keyId: key.id, kind: 'SECRET', mode: 'TEST', role: 'READ_WRITE', app: { id: appId } });
  });

  it.each([
    ['an empty name', { name: '   ' }, 'name'],
    ['an over-long name', { name: 'x'.repeat(201) }, 'name'],
    ['a role on a publishable key', { kind: 'PUBLISHABLE', role: 'ADMIN' }, 'role'],
    ['no role on a secret key', { kind: 'SECRET', role: null }, 'role'],
    ['expiresAt in the past', { expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt'],
    ['a bad origin', { kind: 'PUBLISHABLE', role: null, allowedOrigins: ['not an origin'] }, 'allowedOrigins'],
    ['origins on a secret key', { allowedOrigins: ['https://a.example.com'] }, 'allowedOrigins'],
  ])('rejects %s with BAD_USER_INPUT naming the field', async (_label, patch, field) => {
    const result = await server.root.raw(
      `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`,
      { input: { appId, name: 'k', kind: 'SECRET', mode: 'TEST', role: 'READ_ONLY', ...patch } },
    );
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0].extensions?.field).toBe(field);
  });

  it('answers NOT_FOUND for an unknown app', async () => {
    const result = await server.root.raw(`mutation { createApiKey(input: { appId: "app_nope", name: "k", kind: SECRET, mode: TEST, role: ADMIN }) { secret } }`);
    expect(codeOf(result)).toBe('NOT_FOUND');
  });
});

describe('updateApiKey', () => {
  it('renames a key and changes a publishable key origins', async () => {
    const key = await createKey(server.root, { appId, kind: 'PUBLISHABLE' });
    const data = await server.root.ok(UpdateApiKeyDocument, { id: key.id, input: { name: 'renamed', allowedOrigins: ['https://*.example.com'] } });
    expect(data.updateApiKey).toMatchObject({ name: 'renamed', allowedOrigins: ['https://*.example.com'] });
  });

  it('refuses origins on a secret key and null for a name', async () => {
    const key = await createKey(server.root, { appId });
    expect(codeOf(await server.root.request(UpdateApiKeyDocument, { id: key.id, input: { allowedOrigins: ['https://a.example.com'] } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await server.root.request(UpdateApiKeyDocument, { id: key.id, input: { name: null } }))).toBe('BAD_USER_INPUT');
  });
});

describe('revokeApiKey', () => {
  it('is instant: the next request with the key fails with KEY_REVOKED', async () => {
    const key = await createKey(server.root, { appId });
    await server.client(key.secret).ok(ViewerDocument);
    const revoked = await server.root.ok(RevokeApiKeyDocument, { id: key.id, reason: 'leaked in a log' });
    expect(revoked.revokeApiKey).toMatchObject({ status: 'REVOKED', revokedReason: 'leaked in a log' });
    expect(revoked.revokeApiKey.revokedAt).not.toBeNull();
    const after = await server.client(key.secret).request(ViewerDocument);
    expect(after.status).toBe(401);
    expect(codeOf(after)).toBe('UNAUTHENTICATED');
    expect(reasonOf(after)).toBe('KEY_REVOKED');
  });

  it('is final: revoking twice is CONFLICT, and a revoked key cannot be updated', async () => {
    const key = await createKey(server.root, { appId });
    await server.root.ok(RevokeApiKeyDocument, { id: key.id });
    expect(codeOf(await server.root.request(RevokeApiKeyDocument, { id: key.id }))).toBe('CONFLICT');
    expect(codeOf(await server.root.request(UpdateApiKeyDocument, { id: key.id, input: { name: 'x' } }))).toBe('CONFLICT');
  });
});

describe('App.apiKeys', () => {
  it('pages newest first and filters by mode and status', async () => {
    const app = await createApp(server.root, 'Paging app');
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await createKey(server.root, { appId: app.id, mode: i % 2 ? 'LIVE' : 'TEST', name: `k${i}` }));
    await server.root.ok(RevokeApiKeyDocument, { id: made[0].id });

    const first = await server.root.ok(AppKeysDocument, { appId: app.id, first: 2 });
    expect(first.app?.apiKeys.totalCount).toBe(5);
    expect(first.app?.apiKeys.nodes.map((k) => k.name)).toEqual(['k4', 'k3']);
    expect(first.app?.apiKeys.pageInfo.hasNextPage).toBe(true);
    const second = await server.root.ok(AppKeysDocument, { appId: app.id, first: 2, after: first.app?.apiKeys.pageInfo.endCursor });
    expect(second.app?.apiKeys.nodes.map((k) => k.name)).toEqual(['k2', 'k1']);
    const third = await server.root.ok(AppKeysDocument, { appId: app.id, first: 2, after: second.app?.apiKeys.pageInfo.endCursor });
    expect(third.app?.apiKeys.nodes.map((k) => k.name)).toEqual(['k0']);
    expect(third.app?.apiKeys.pageInfo.hasNextPage).toBe(false);

    const live = await server.root.ok(AppKeysDocument, { appId: app.id, mode: 'LIVE' });
    expect(live.app?.apiKeys.nodes.map((k) => k.name)).toEqual(['k3', 'k1']);
    const revoked = await server.root.ok(AppKeysDocument, { appId: app.id, status: ['REVOKED'] });
    expect(revoked.app?.apiKeys.nodes.map((k) => k.name)).toEqual(['k0']);
    const active = await server.root.ok(AppKeysDocument, { appId: app.id, status: ['ACTIVE'] });
    expect(active.app?.apiKeys.totalCount).toBe(4);
  });

  it('rejects a page size out of range and a forged cursor', async () => {
    expect(codeOf(await server.root.request(AppKeysDocument, { appId, first: 0 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await server.root.request(AppKeysDocument, { appId, first: 101 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await server.root.request(AppKeysDocument, { appId, after: 'not-a-cursor' }))).toBe('BAD_USER_INPUT');
  });
});
