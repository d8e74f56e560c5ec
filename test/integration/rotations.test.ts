import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock';
import {
  AuditEventsDocument,
  CompleteRotationDocument,
  KeyRotationLinksDocument,
  RevokeApiKeyDocument,
  RotateApiKeyDocument,
  RotationsDocument,
  ViewerDocument,
} from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { codeOf, reasonOf } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';

const HOUR = 3600_000;
const clock = new ManualClock(new Date('2026-11-23T10:00:00Z'));
let server: TestServer;
let appId: string;

beforeAll(async () => {
  server = await startTestServer({ clock });
  appId = (await createApp(server.root, 'Rotating app')).id;
});
afterAll(() => server?.close());

async function works(key: string): Promise<boolean> {
  return (await server.client(key).request(ViewerDocument)).status === 200;
}

describe('rotateApiKey', () => {
  it('issues a new key with the same app, mode, kind, role, name and origins; both work during the grace', async () => {
    const old = await createKey(server.root, { appId, mode: 'LIVE', role: 'READ_WRITE', name: 'billing' });
    const { rotateApiKey } = await server.root.ok(RotateApiKeyDocument, { id: old.id });
    const { rotation, secret } = rotateApiKey;
    expect(secret).toMatch(/^sk_live_/);
    expect(secret).not.toBe(old.secret);
    expect(rotation).toMatchObject({
      status: 'IN_GRACE',
      completedAt: null,
      app: { id: appId },
      oldKey: { id: old.id, status: 'ROTATING' },
      newKey: { status: 'ACTIVE', name: 'billing', kind: 'SECRET', mode: 'LIVE', role: 'READ_WRITE' },
    });
    expect(Date.parse(rotation.graceEndsAt) - Date.parse(rotation.startedAt)).toBe(24 * HOUR);
    expect(await works(old.secret)).toBe(true);
    expect(await works(secret)).toBe(true);

    const links = await server.root.ok(KeyRotationLinksDocument, { id: old.id });
    expect(links.apiKey?.rotatedTo?.id).toBe(rotation.id);
    const newLinks = await server.root.ok(KeyRotationLinksDocument, { id: rotation.newKey.id });
    expect(newLinks.apiKey?.rotatedFrom?.id).toBe(rotation.id);
  });

  it('ends the old key exactly at graceEndsAt, with no job running', async () => {
    const old = await createKey(server.root, { appId, role: 'ADMIN' });
    const { rotateApiKey } = await server.root.ok(RotateApiKeyDocument, { id: old.id, gracePeriodSeconds: 600 });
    clock.advance(600_000 - 1);
    expect(await works(old.secret)).toBe(true);
    clock.advance(1);
    const refused = await server.client(old.secret).request(ViewerDocument);
    expect(refused.status).toBe(401);
    expect(reasonOf(refused)).toBe('KEY_REVOKED');
    expect(await works(rotateApiKey.secret)).toBe(true);
    const links = await server.root.ok(KeyRotationLinksDocument, { id: old.id });
    expect(links.apiKey).toMatchObject({ status: 'REVOKED', revokedReason: 'rotated' });
    const [listed] = (await server.root.ok(RotationsDocument, { appId })).rotations.nodes;
    expect(listed).toMatchObject({ id: rotateApiKey.rotation.id, status: 'COMPLETED', completedAt: rotateApiKey.rotation.graceEndsAt });
  });

  it('with a grace of 0 ends the old key at once', async () => {
    const old = await createKey(server.root, { appId });
    const { rotateApiKey } = await server.root.ok(RotateApiKeyDocument, { id: old.id, gracePeriodSeconds: 0 });
    expect(rotateApiKey.rotation).toMatchObject({ status: 'COMPLETED', oldKey: { status: 'REVOKED' } });
    expect(await works(old.secret)).toBe(false);
  });

  it('caps the grace at the old key expiry', async () => {
    const expiresAt = new Date(clock.now().getTime() + HOUR).toISOString();
    const old = await createKey(server.root, { appId, expiresAt });
    const { rotateApiKey } = await server.root.ok(RotateApiKeyDocument, { id: old.id, gracePeriodSeconds: 86400 });
    expect(rotateApiKey.rotation.graceEndsAt).toBe(expiresAt);
  });

  it('rotates publishable keys too, keeping their origins', async () => {
    const old = await createKey(server.root, { appId, kind: 'PUBLISHABLE', allowedOrigins: ['https://web.example.com'] });
    const { rotateApiKey } = await server.root.ok(RotateApiKeyDocument, { id: old.id });
    expect(rotateApiKey.secret).toMatch(/^pk_test_/);
    expect(rotateApiKey.rotation.newKey).toMatchObject({ kind: 'PUBLISHABLE', allowedOrigins: ['https://web.example.com'], publishableKey: rotateApiKey.secret });
  });

  it.each([-1, 30 * 86400 + 1])('rejects a grace of %i seconds with BAD_USER_INPUT', async (grace) => {
    const old = await createKey(server.root, { appId });
    const result = await server.root.request(RotateApiKeyDocument, { id: old.id, gracePeriodSeconds: grace });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(await works(old.secret)).toBe(true);
  });

  it('answers CONFLICT for a revoked, an expired or an already rotating key', async () => {
    const revoked = await createKey(server.root, { appId });
    await server.root.ok(RevokeApiKeyDocument, { id: revoked.id });
    const expiring = await createKey(server.root, { appId, expiresAt: new Date(clock.now().getTime() + 1000).toISOString() });
    const rotating = await createKey(server.root, { appId });
    await server.root.ok(RotateApiKeyDocument, { id: rotating.id });
    clock.advance(1000);
    for (const key of [revoked, expiring, rotating]) {
      expect(codeOf(await server.root.request(RotateApiKeyDocument, { id: key.id }))).toBe('CONFLICT');
    }
  });

  it('lets exactly one of several concurrent rotations of a key succeed', async () => {
    const old = await createKey(server.root, { appId, role: 'ADMIN' });
    const results = await Promise.all(Array.from({ length: 6 }, () => server.root.request(RotateApiKeyDocument, { id: old.id })));
    expect(results.filter((r) => r.data?.rotateApiKey).length).toBe(1);
    expect(results.filter((r) => codeOf(r) === 'CONFLICT').length).toBe(5);
    const rotations = (await server.root.ok(RotationsDocument, { appId })).rotations.nodes.filter((r) => r.oldKey.id === old.id);
    expect(rotations).toHaveLength(1);
  });

  it('keeps test and live apart: a test-mode admin key cannot see or rotate a live key', async () => {
    const testAdmin = await createKey(server.root, { appId, role: 'ADMIN', mode: 'TEST' });
    const live = await createKey(server.root, { appId, role: 'READ_ONLY', mode: 'LIVE' });
    const result = await server.client(testAdmin.secret).request(RotateApiKeyDocument, { id: live.id });
    expect(codeOf(result)).toBe('NOT_FOUND');
    expect(await works(live.secret)).toBe(true);
    const listed = await server.client(testAdmin.secret).ok(RotationsDocument, { appId });
    expect(listed.rotations.nodes.every((r) => r.newKey.mode === 'TEST')).toBe(true);
  });
});

describe('ending a grace early', () => {
  it('completeRotation stops the old key now and is CONFLICT the second time', async () => {
    const old = await createKey(server.root, { appId, role: 'ADMIN' });
    const admin = server.client(old.secret);
    const { rotateApiKey } = await admin.ok(RotateApiKeyDocument, { id: old.id });
    const next = server.client(rotateApiKey.secret);
    const { completeRotation } = await next.ok(CompleteRotationDocument, { id: rotateApiKey.rotation.id });
    expect(completeRotation).toMatchObject({ status: 'COMPLETED', completedAt: clock.now().toISOString(), oldKey: { status: 'REVOKED' } });
    expect(await works(old.secret)).toBe(false);
    expect(codeOf(await next.request(CompleteRotationDocument, { id: rotateApiKey.rotation.id }))).toBe('CONFLICT');
  });

  it('revoking the old key mid-grace ends it at once and completes the rotation', async () => {
    const old = await createKey(server.root, { appId });
    const { rotateApiKey } = await server.root.ok(RotateApiKeyDocument, { id: old.id });
    const { revokeApiKey } = await server.root.ok(RevokeApiKeyDocument, { id: old.id, reason: 'compromised' });
    expect(revokeApiKey).toMatchObject({ status: 'REVOKED', revokedReason: 'compromised' });
    expect(await works(old.secret)).toBe(false);
    const [rotation] = (await server.root.ok(RotationsDocument, { appId, status: 'COMPLETED' })).rotations.nodes.filter((r) => r.id === rotateApiKey.rotation.id);
    expect(rotation.status).toBe('COMPLETED');
  });

  it('audits key.rotate and rotation.complete', async () => {
    const app = await createApp(server.root, 'Audited rotations');
    const old = await createKey(server.root, { appId: app.id });
    const { rotateApiKey } = await server.root.ok(RotateApiKeyDocument, { id: old.id });
    await server.root.ok(CompleteRotationDocument, { id: rotateApiKey.rotation.id });
    const events = (await server.root.ok(AuditEventsDocument, { appId: app.id })).auditEvents.nodes;
    expect(events.slice(0, 2).map((e) => [e.action, e.targetId])).toEqual([
      ['rotation.complete', rotateApiKey.rotation.id],
      ['key.rotate', old.id],
    ]);
    expect(events[1].details).toMatchObject({ rotationId: rotateApiKey.rotation.id, newKeyId: rotateApiKey.rotation.newKey.id });
  });
});
