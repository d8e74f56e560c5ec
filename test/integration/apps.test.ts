import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppDocument, AppsDocument, DeleteAppDocument, UpdateAppDocument, ViewerDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { codeOf, reasonOf } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe('createApp', () => {
  it('applies the contract defaults', async () => {
    const app = await createApp(server.root, '  Acme  ');
    expect(app).toMatchObject({ name: 'Acme', allowedOrigins: [], defaultTokenLifetime: 1800, maxTokenLifetime: 86400, publishableCanPublish: false });
    expect(app.id).toMatch(/^app_[0-9a-z]{12}[0-9A-Za-z]{12}$/);
  });

  it.each([
    ['an empty name', { name: '' }, 'name'],
    ['a name over 200 characters', { name: 'n'.repeat(201) }, 'name'],
    ['a bad origin', { allowedOrigins: ['https://example.com/path'] }, 'allowedOrigins'],
    ['a token lifetime under 60 s', { defaultTokenLifetime: 59 }, 'defaultTokenLifetime'],
    ['a default above the maximum', { defaultTokenLifetime: 7200, maxTokenLifetime: 3600 }, 'defaultTokenLifetime'],
    ['a maximum over 30 days', { maxTokenLifetime: 30 * 86400 + 1 }, 'maxTokenLifetime'],
  ])('rejects %s with BAD_USER_INPUT', async (_label, patch, field) => {
    const result = await server.root.raw(`mutation($input: CreateAppInput!) { createApp(input: $input) { id } }`, { input: { name: 'ok', ...patch } });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0].extensions?.field).toBe(field);
  });

  it('rejects a wrongly typed variable before anything runs', async () => {
    const result = await server.root.raw(`mutation($input: CreateAppInput!) { createApp(input: $input) { id } }`, { input: { name: 42 } });
    expect(result.status).toBe(400);
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
  });
});

describe('updateApp', () => {
  it('changes only the given settings and validates the result as a whole', async () => {
    const app = await createApp(server.root, 'Before');
    const data = await server.root.ok(UpdateAppDocument, { id: app.id, input: { name: 'After', publishableCanPublish: true } });
    expect(data.updateApp).toMatchObject({ name: 'After', publishableCanPublish: true, defaultTokenLifetime: 1800 });
    const tooLow = await server.root.request(UpdateAppDocument, { id: app.id, input: { maxTokenLifetime: 600 } });
    expect(codeOf(tooLow)).toBe('BAD_USER_INPUT');
    const unchanged = await server.root.ok(AppDocument, { id: app.id });
    expect(unchanged.app?.maxTokenLifetime).toBe(86400);
  });

  it('answers NOT_FOUND for an unknown app', async () => {
    expect(codeOf(await server.root.request(UpdateAppDocument, { id: 'app_missing', input: { name: 'x' } }))).toBe('NOT_FOUND');
  });
});

describe('deleteApp', () => {
  it('revokes every key of the app at once and hides the app', async () => {
    const app = await createApp(server.root, 'Doomed');
    const key = await createKey(server.root, { appId: app.id, role: 'ADMIN' });
    const data = await server.root.ok(DeleteAppDocument, { id: app.id });
    expect(data.deleteApp).toBe(true);
    const denied = await server.client(key.secret).request(ViewerDocument);
    expect(denied.status).toBe(401);
    expect(reasonOf(denied)).toBe('KEY_REVOKED');
    const gone = await server.root.request(AppDocument, { id: app.id });
    expect(gone.data?.app).toBeNull();
    expect(codeOf(gone)).toBe('NOT_FOUND');
    expect(codeOf(await server.root.request(DeleteAppDocument, { id: app.id }))).toBe('NOT_FOUND');
  });
});

describe('apps', () => {
  it('pages newest first with Relay cursors and a total count', async () => {
    const fresh = await startTestServer();
    try {
      for (const name of ['one', 'two', 'three']) await createApp(fresh.root, name);
      const page1 = await fresh.root.ok(AppsDocument, { first: 2 });
      expect(page1.apps.totalCount).toBe(3);
      expect(page1.apps.nodes.map((a) => a.name)).toEqual(['three', 'two']);
      expect(page1.apps.edges.map((e) => e.node.id)).toEqual(page1.apps.nodes.map((a) => a.id));
      expect(page1.apps.pageInfo).toEqual({ hasNextPage: true, endCursor: page1.apps.edges[1].cursor });
      const page2 = await fresh.root.ok(AppsDocument, { first: 2, after: page1.apps.pageInfo.endCursor });
      expect(page2.apps.nodes.map((a) => a.name)).toEqual(['one']);
      expect(page2.apps.pageInfo.hasNextPage).toBe(false);
    } finally {
      await fresh.close();
    }
  });

  it('shows an app key only its own app', async () => {
    const mine = await createApp(server.root, 'Mine');
    await createApp(server.root, 'Theirs');
    const key = await createKey(server.root, { appId: mine.id, role: 'READ_ONLY' });
    const data = await server.client(key.secret).ok(AppsDocument, {});
    expect(data.apps.nodes.map((a) => a.id)).toEqual([mine.id]);
    expect(data.apps.totalCount).toBe(1);
  });
});
