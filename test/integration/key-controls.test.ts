import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyDocument, AppKeysDocument, RotateApiKeyDocument, UpdateApiKeyDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { documentedFetch } from '../helpers/openapi';
import { allAuditEvents, getJson } from '../helpers/process-harness';
import { type TestServer, startTestServer } from '../helpers/test-server';

/** DESIGN.md "Key controls": owner, metadata and the rest travel with the key, are audited, and reach verification. */
let server: TestServer;
let appId: string;

beforeAll(async () => {
  server = await startTestServer();
  appId = (await createApp(server.root, 'Controls')).id;
});
afterAll(() => server?.close());

const controls = {
  ownerId: 'cus_42',
  meta: { plan: 'pro', seats: 3 },
  allowedIps: ['127.0.0.1', '2001:DB8::/32'],
  credits: { remaining: 100, refill: { interval: 'MONTHLY' as const, amount: 500, dayOfMonth: 31 } },
  rateLimit: { limit: 1000, windowSeconds: 60 },
};

describe('createApiKey with key controls', () => {
  it('stores and reads back owner, meta, IPs (normalised), credits and rate limit; enabled by default', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', extra: controls });
    expect(key).toMatchObject({
      ownerId: 'cus_42',
      meta: { plan: 'pro', seats: 3 },
      enabled: true,
      allowedIps: ['127.0.0.1', '2001:db8::/32'],
      credits: { remaining: 100, lastRefillAt: null, refill: { interval: 'MONTHLY', amount: 500, dayOfMonth: 31 } },
      rateLimit: { limit: 1000, windowSeconds: 60 },
      status: 'ACTIVE',
    });
    const plain = await createKey(server.root, { appId, mode: 'LIVE' });
    expect(plain).toMatchObject({ ownerId: null, meta: null, enabled: true, allowedIps: [], credits: null, rateLimit: null });
  });

  it('returns owner, meta, credits left and the rate limit on /auth/verify', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', extra: controls });
    const { status, body } = await getJson(`${server.baseUrl}/auth/verify`, key.secret);
    expect(status).toBe(200);
    expect(body).toMatchObject({ owner_id: 'cus_42', meta: { plan: 'pro', seats: 3 }, credits: { remaining: 99 }, rate_limit: { limit: 1000, remaining: 999 } });
    expect(new Date(body.rate_limit.reset).getTime()).toBeGreaterThan(Date.now() - 1000);
  });

  it('names the owner to the upstream on /auth/forward (X-Keygate-Owner-Id)', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', extra: { ownerId: 'team-7' } });
    const response = await documentedFetch(server.baseUrl, '/auth/forward', { headers: { authorization: `Bearer ${key.secret}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-keygate-owner-id')).toBe('team-7');
  });

  it('percent-encodes an owner id outside printable ASCII in the header (header values are bytes)', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', extra: { ownerId: 'Zoë' } });
    const response = await documentedFetch(server.baseUrl, '/auth/forward', { headers: { authorization: `Bearer ${key.secret}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-keygate-owner-id')).toBe('Zo%C3%AB');
    expect((await getJson(`${server.baseUrl}/auth/verify`, key.secret)).body.owner_id).toBe('Zoë');
  });
});

describe('App.apiKeys(ownerId:)', () => {
  it("lists exactly that owner's keys", async () => {
    const own = await createApp(server.root, 'Owners');
    const a = await createKey(server.root, { appId: own.id, extra: { ownerId: 'alice' } });
    const b = await createKey(server.root, { appId: own.id, extra: { ownerId: 'alice' } });
    await createKey(server.root, { appId: own.id, extra: { ownerId: 'bob' } });
    await createKey(server.root, { appId: own.id });
    const data = await server.root.ok(AppKeysDocument, { appId: own.id, ownerId: 'alice' });
    expect(data.app?.apiKeys.totalCount).toBe(2);
    expect(data.app?.apiKeys.nodes.map((k) => k.id).sort()).toEqual([a.id, b.id].sort());
  });
});

describe('updateApiKey with key controls', () => {
  it('changes and clears each control, audited as key.update in the same transaction, and verification sees it at once', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', extra: { ownerId: 'before', meta: { v: 1 } } });
    expect((await getJson(`${server.baseUrl}/auth/verify`, key.secret)).body.owner_id).toBe('before');
    const updated = await server.root.ok(UpdateApiKeyDocument, {
      id: key.id,
      input: { ownerId: 'after', meta: { v: 2 }, allowedIps: ['127.0.0.0/8'], credits: { remaining: 5 } },
    });
    expect(updated.updateApiKey).toMatchObject({ ownerId: 'after', meta: { v: 2 }, allowedIps: ['127.0.0.0/8'], credits: { remaining: 5, refill: null } });
    // The cached record was dropped: the new owner and the new balance apply to the next use.
    expect((await getJson(`${server.baseUrl}/auth/verify`, key.secret)).body).toMatchObject({ owner_id: 'after', meta: { v: 2 }, credits: { remaining: 4 } });

    const cleared = await server.root.ok(UpdateApiKeyDocument, { id: key.id, input: { ownerId: null, meta: null, allowedIps: [], credits: null } });
    expect(cleared.updateApiKey).toMatchObject({ ownerId: null, meta: null, allowedIps: [], credits: null });
    expect((await getJson(`${server.baseUrl}/auth/verify`, key.secret)).body).toMatchObject({ owner_id: null, meta: null, credits: null });

    const events = (await allAuditEvents(server.url, server.rootKey, appId)).filter((e) => e.targetId === key.id && e.action === 'key.update');
    expect(events.map((e) => (e.details as { changed: string[] }).changed.sort())).toEqual([
      ['allowedIps', 'credits', 'meta', 'ownerId'],
      ['allowedIps', 'credits', 'meta', 'ownerId'],
    ]);
    // Metadata is the product's data: the audit trail names the change, never the content.
    expect(JSON.stringify(events)).not.toContain('"v":2');
  });
});

describe('rotateApiKey with key controls', () => {
  it('gives the new key the same owner, meta, origins, IPs, rate limit, credits balance and enabled state', async () => {
    const old = await createKey(server.root, { appId, mode: 'LIVE', extra: controls });
    const rotated = await server.root.ok(RotateApiKeyDocument, { id: old.id, gracePeriodSeconds: 600 });
    const fresh = await server.root.ok(ApiKeyDocument, { id: rotated.rotateApiKey.rotation.newKey.id });
    expect(fresh.apiKey).toMatchObject({
      ownerId: controls.ownerId,
      meta: controls.meta,
      enabled: true,
      allowedIps: ['127.0.0.1', '2001:db8::/32'],
      rateLimit: controls.rateLimit,
      credits: { remaining: 100, refill: { interval: 'MONTHLY', amount: 500, dayOfMonth: 31 } },
    });
  });
});
