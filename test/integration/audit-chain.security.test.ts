import type { EntityManager as SqlEntityManager } from '@mikro-orm/knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevokeApiKeyDocument, RotateApiKeyDocument, UpdateApiKeyDocument, ViewerDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { waitFor } from '../helpers/process-harness';
import { startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const VERIFY = `query($a: ID!, $m: KeyMode) { verifyAuditChain(appId: $a, mode: $m) { ok checked firstBrokenEventId } }`;
const EVENTS = `query($a: ID!, $action: String, $actorId: ID, $targetId: ID, $from: DateTime, $to: DateTime) {
  auditEvents(appId: $a, action: $action, actorId: $actorId, targetId: $targetId, from: $from, to: $to, first: 100) { totalCount nodes { id action actorId targetId mode at details } } }`;

type Verification = { verifyAuditChain: { ok: boolean; checked: number; firstBrokenEventId: string | null } };
type Events = { auditEvents: { totalCount: number; nodes: { id: string; action: string; actorId: string; targetId: string; mode: string | null; at: string; details: Record<string, unknown> }[] } };

const sql = () => server.keygate.runtime.orm.em.fork() as SqlEntityManager;

async function scenario() {
  const app = await createApp(server.root, 'Chained');
  const admin = await createKey(server.root, { appId: app.id, role: 'ADMIN', mode: 'LIVE' });
  const key = await createKey(server.client(admin.secret), { appId: app.id, mode: 'LIVE', name: 'victim' });
  await server.client(admin.secret).ok(UpdateApiKeyDocument, { id: key.id, input: { name: 'renamed' } });
  await server.client(admin.secret).ok(RotateApiKeyDocument, { id: key.id });
  await server.root.ok(RevokeApiKeyDocument, { id: key.id, reason: 'done' });
  return { app, admin, key };
}

describe('the audit log is a hash chain', () => {
  it('verifies intact chains of every mode and the app-level one', async () => {
    const { app } = await scenario();
    const all = await server.root.raw<Verification>(VERIFY, { a: app.id });
    expect(all.data?.verifyAuditChain).toEqual({ ok: true, checked: 6, firstBrokenEventId: null });
    expect((await server.root.raw<Verification>(VERIFY, { a: app.id, m: 'LIVE' })).data?.verifyAuditChain).toEqual({ ok: true, checked: 6, firstBrokenEventId: null });
  });

  it("checks the app-level chain with a mode's, as auditEvents shows them together", async () => {
    const { app } = await scenario();
    const created = (await server.root.raw<Events>(EVENTS, { a: app.id, action: 'app.create' })).data!.auditEvents.nodes[0];
    expect(created.mode).toBeNull();
    await sql().execute(`update audit_events set action = ? where id = ?`, ['app.delete', created.id], 'run');
    for (const m of ['LIVE', 'TEST']) {
      expect((await server.root.raw<Verification>(VERIFY, { a: app.id, m })).data?.verifyAuditChain).toMatchObject({ ok: false, firstBrokenEventId: created.id });
    }
  });

  it('detects an event edited directly in the database, naming it', async () => {
    const { app, key } = await scenario();
    const events = (await server.root.raw<Events>(EVENTS, { a: app.id, action: 'key.revoke' })).data!.auditEvents.nodes;
    const target = events[0];
    await sql().execute(`update audit_events set details = ? where id = ?`, [JSON.stringify({ reason: 'nothing to see' }), target.id], 'run');
    expect((await server.root.raw<Verification>(VERIFY, { a: app.id, m: 'LIVE' })).data?.verifyAuditChain).toMatchObject({ ok: false, firstBrokenEventId: target.id });
    expect(key.id).toBeTruthy();
  });

  it('detects a deleted event (the next one no longer links) and a truncated tail', async () => {
    const { app } = await scenario();
    const ordered = (await server.root.raw<Events>(EVENTS, { a: app.id })).data!.auditEvents.nodes.filter((e) => e.mode === 'LIVE').reverse();
    await sql().execute(`delete from audit_events where id = ?`, [ordered[1].id], 'run');
    expect((await server.root.raw<Verification>(VERIFY, { a: app.id, m: 'LIVE' })).data?.verifyAuditChain).toMatchObject({ ok: false, firstBrokenEventId: ordered[2].id });

    const other = await scenario();
    const last = (await server.root.raw<Events>(EVENTS, { a: other.app.id })).data!.auditEvents.nodes.find((e) => e.mode === 'LIVE')!;
    await sql().execute(`delete from audit_events where id = ?`, [last.id], 'run');
    expect((await server.root.raw<Verification>(VERIFY, { a: other.app.id, m: 'LIVE' })).data?.verifyAuditChain.ok).toBe(false);
  });
});

describe('audit filters and failed authentications', () => {
  it('filters by action, actor, target and time range', async () => {
    const { app, admin, key } = await scenario();
    const byAction = (await server.root.raw<Events>(EVENTS, { a: app.id, action: 'key.update' })).data!.auditEvents;
    expect(byAction.nodes.map((e) => e.targetId)).toEqual([key.id]);
    const byActor = (await server.root.raw<Events>(EVENTS, { a: app.id, actorId: admin.id })).data!.auditEvents;
    expect(byActor.nodes.map((e) => e.action)).toEqual(['key.rotate', 'key.update', 'key.create']);
    const byTarget = (await server.root.raw<Events>(EVENTS, { a: app.id, targetId: key.id })).data!.auditEvents;
    expect(byTarget.totalCount).toBe(4);
    const future = (await server.root.raw<Events>(EVENTS, { a: app.id, from: new Date(Date.now() + 60_000).toISOString() })).data!.auditEvents;
    expect(future.totalCount).toBe(0);
    const reversed = await server.root.raw(EVENTS, { a: app.id, from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' });
    expect(reversed.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('records failed uses of a real key as auth.failure, at most once a minute per key and reason, without the key', async () => {
    const app = await createApp(server.root, 'Failures');
    const key = await createKey(server.root, { appId: app.id, mode: 'TEST' });
    const witness = await createKey(server.root, { appId: app.id, mode: 'TEST' });
    await server.root.ok(RevokeApiKeyDocument, { id: key.id });
    await server.root.ok(RevokeApiKeyDocument, { id: witness.id });
    for (let i = 0; i < 5; i++) expect((await server.client(key.secret).request(ViewerDocument)).status).toBe(401);
    // Failures are written off the request path, one at a time on the app's chain (its head
    // row is locked in turn). The witness's failure comes after the five: once it is
    // recorded, whatever the five wrote is too.
    expect((await server.client(witness.secret).request(ViewerDocument)).status).toBe(401);
    const failuresOf = async (targetId: string) => (await server.root.raw<Events>(EVENTS, { a: app.id, action: 'auth.failure', targetId })).data!.auditEvents;
    expect(await waitFor(async () => (await failuresOf(witness.id)).totalCount === 1, 10_000)).toBe(true);
    const failures = await failuresOf(key.id);
    expect(failures.nodes).toHaveLength(1);
    expect(failures.nodes[0]).toMatchObject({ targetId: key.id, mode: 'TEST', details: { reason: 'KEY_REVOKED' } });
    expect(JSON.stringify(failures)).not.toContain(key.secret);
    expect((await server.root.raw<Verification>(VERIFY, { a: app.id })).data?.verifyAuditChain.ok).toBe(true);
  });
});
