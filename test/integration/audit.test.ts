import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEventsDocument, DeleteAppDocument, RevokeApiKeyDocument, UpdateApiKeyDocument, UpdateAppDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { codeOf } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe('audit trail', () => {
  it('records every mutation with actor, action, target, app, mode and IP, newest first', async () => {
    const app = await createApp(server.root, 'Audited');
    const admin = await createKey(server.root, { appId: app.id, role: 'ADMIN', mode: 'LIVE' });
    const adminClient = server.client(admin.secret);
    const pk = await createKey(adminClient, { appId: app.id, kind: 'PUBLISHABLE', mode: 'LIVE' });
    await adminClient.ok(UpdateApiKeyDocument, { id: pk.id, input: { name: 'web' } });
    await adminClient.ok(RevokeApiKeyDocument, { id: pk.id, reason: 'unused' });
    await adminClient.ok(UpdateAppDocument, { id: app.id, input: { name: 'Audited 2' } });

    const { auditEvents } = await server.root.ok(AuditEventsDocument, { appId: app.id });
    expect(auditEvents.nodes[0].mode).toBeNull(); // app-level event
    expect(auditEvents.nodes.map((e) => [e.action, e.actorType, e.targetId])).toEqual([
      ['app.update', 'API_KEY', app.id],
      ['key.revoke', 'API_KEY', pk.id],
      ['key.update', 'API_KEY', pk.id],
      ['key.create', 'API_KEY', pk.id],
      ['key.create', 'ROOT', admin.id],
      ['app.create', 'ROOT', app.id],
    ]);
    const revoke = auditEvents.nodes[1];
    expect(revoke).toMatchObject({ actorId: admin.id, appId: app.id, mode: 'LIVE', ip: '127.0.0.1', details: { reason: 'unused' } });
    expect(auditEvents.totalCount).toBe(6);

    await server.root.ok(DeleteAppDocument, { id: app.id });
  });

  it('writes nothing when the mutation fails', async () => {
    const app = await createApp(server.root, 'Quiet');
    const before = (await server.root.ok(AuditEventsDocument, { appId: app.id })).auditEvents.totalCount;
    const failed = await server.root.request(UpdateAppDocument, { id: app.id, input: { defaultTokenLifetime: 1 } });
    expect(codeOf(failed)).toBe('BAD_USER_INPUT');
    const after = (await server.root.ok(AuditEventsDocument, { appId: app.id })).auditEvents.totalCount;
    expect(after).toBe(before);
  });

  it('shows an app key the events of its own mode and the app-level ones, never the other mode', async () => {
    const app = await createApp(server.root, 'Modes');
    const testAdmin = await createKey(server.root, { appId: app.id, role: 'ADMIN', mode: 'TEST' });
    const liveAdmin = await createKey(server.root, { appId: app.id, role: 'ADMIN', mode: 'LIVE' });
    await server.client(liveAdmin.secret).ok(UpdateAppDocument, { id: app.id, input: { name: 'Modes 2' } });
    const seen = await server.client(testAdmin.secret).ok(AuditEventsDocument, { appId: app.id });
    expect(seen.auditEvents.nodes.map((e) => [e.action, e.mode, e.targetId])).toEqual([
      ['app.update', null, app.id],
      ['key.create', 'TEST', testAdmin.id],
      ['app.create', null, app.id],
    ]);
    expect(seen.auditEvents.totalCount).toBe(3);
    const other = await server.client(testAdmin.secret).ok(AuditEventsDocument, { appId: app.id, mode: 'LIVE' });
    expect(other.auditEvents.totalCount).toBe(0);
  });

  it('keeps the sandbox out of live settings: a test-mode key may not updateApp', async () => {
    const app = await createApp(server.root, 'Sandboxed');
    const testAdmin = await createKey(server.root, { appId: app.id, role: 'ADMIN', mode: 'TEST' });
    const refused = await server.client(testAdmin.secret).request(UpdateAppDocument, { id: app.id, input: { publishableCanPublish: true } });
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect(refused.errors?.[0].extensions?.reason).toBe('MODE_MISMATCH');
  });

  it('pages with stable cursors', async () => {
    const app = await createApp(server.root, 'Paged');
    for (let i = 0; i < 4; i++) await createKey(server.root, { appId: app.id, name: `k${i}` });
    const all = (await server.root.ok(AuditEventsDocument, { appId: app.id, first: 100 })).auditEvents.nodes.map((e) => e.id);
    const p1 = await server.root.ok(AuditEventsDocument, { appId: app.id, first: 3 });
    const p2 = await server.root.ok(AuditEventsDocument, { appId: app.id, first: 3, after: p1.auditEvents.pageInfo.endCursor });
    expect([...p1.auditEvents.nodes, ...p2.auditEvents.nodes].map((e) => e.id)).toEqual(all);
    expect(p2.auditEvents.pageInfo.hasNextPage).toBe(false);
  });
});
