import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyDocument, AppKeysDocument, IntrospectTokenDocument, RevokeApiKeyDocument, RotateApiKeyDocument, SessionAccessDocument, UpdateApiKeyDocument, ViewerDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { codeOf, reasonOf } from '../helpers/graphql-client';
import { allAuditEvents } from '../helpers/process-harness';
import { restClient, restError } from '../helpers/rest';
import { type TestServer, startTestServer } from '../helpers/test-server';

/** DESIGN.md "Key controls", disabling: KEY_DISABLED (401) everywhere until enabled again; reversible, unlike revocation. */
let server: TestServer;
let appId: string;
let rest: ReturnType<typeof restClient>;

beforeAll(async () => {
  server = await startTestServer();
  appId = (await createApp(server.root, 'Disabling')).id;
  rest = restClient(server.baseUrl);
});
afterAll(() => server?.close());

async function everyEdge(key: string, token: string) {
  const graphql = await server.client(key).request(ViewerDocument);
  const verify = await rest.call('/auth/verify', { key });
  const forward = await rest.call('/auth/forward', { key });
  const forwardToken = await rest.call('/auth/forward', { key: token });
  const mint = await rest.postJson('/session_access', key, { user_id: 'u1' });
  const introspection = await server.root.ok(IntrospectTokenDocument, { token });
  const oauth = await rest.call('/oauth/introspect', { method: 'POST', key: server.rootKey, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  return { graphql, verify, forward, forwardToken, mint, introspection: introspection.introspectToken, oauth };
}

describe('a disabled key', () => {
  it('is refused with KEY_DISABLED 401 on GraphQL, verify, forward and session_access; its tokens read inactive; enabling restores all', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', role: 'READ_WRITE' });
    const minted = await server.client(key.secret).ok(SessionAccessDocument, { input: { userId: 'u1' } });
    const token = minted.sessionAccess.token;
    // Warm every cache first: disabling must reach them at once, not after a TTL.
    expect((await rest.call('/auth/verify', { key: key.secret })).status).toBe(200);

    const disabled = await server.root.ok(UpdateApiKeyDocument, { id: key.id, input: { enabled: false } });
    expect(disabled.updateApiKey).toMatchObject({ enabled: false, status: 'DISABLED' });

    const off = await everyEdge(key.secret, token);
    expect(off.graphql.status).toBe(401);
    expect(codeOf(off.graphql)).toBe('UNAUTHENTICATED');
    expect(reasonOf(off.graphql)).toBe('KEY_DISABLED');
    for (const response of [off.verify, off.forward, off.mint]) {
      expect(await restError(response, 401)).toMatchObject({ code: 'authentication_failed', reason: 'KEY_DISABLED', message: 'The API key is disabled' });
    }
    expect(off.forwardToken.status).toBe(401);
    expect(off.introspection.active).toBe(false);
    expect(await off.oauth.json()).toEqual({ active: false });

    const enabled = await server.root.ok(UpdateApiKeyDocument, { id: key.id, input: { enabled: true } });
    expect(enabled.updateApiKey).toMatchObject({ enabled: true, status: 'ACTIVE' });
    const on = await everyEdge(key.secret, token);
    expect(on.graphql.status).toBe(200);
    expect([on.verify.status, on.forward.status, on.forwardToken.status, on.mint.status]).toEqual([200, 200, 200, 200]);
    expect(on.introspection.active).toBe(true);
    expect(((await on.oauth.json()) as { active: boolean }).active).toBe(true);

    const actions = (await allAuditEvents(server.url, server.rootKey, appId)).filter((e) => e.targetId === key.id && e.action.startsWith('key.')).map((e) => e.action);
    expect(actions).toEqual(['key.create', 'key.disable', 'key.enable']);
  });

  it('is listed under status DISABLED and not under ACTIVE', async () => {
    const own = await createApp(server.root, 'Disabled list');
    const key = await createKey(server.root, { appId: own.id });
    const active = await createKey(server.root, { appId: own.id });
    await server.root.ok(UpdateApiKeyDocument, { id: key.id, input: { enabled: false } });
    const disabledList = await server.root.ok(AppKeysDocument, { appId: own.id, status: ['DISABLED'] });
    expect(disabledList.app?.apiKeys.nodes.map((k) => k.id)).toEqual([key.id]);
    const activeList = await server.root.ok(AppKeysDocument, { appId: own.id, status: ['ACTIVE'] });
    expect(activeList.app?.apiKeys.nodes.map((k) => k.id)).toEqual([active.id]);
  });

  it('counts its refusals as failures in the usage counters', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE' });
    await server.root.ok(UpdateApiKeyDocument, { id: key.id, input: { enabled: false } });
    await rest.call('/auth/verify', { key: key.secret });
    await server.keygate.runtime.usage.flush();
    const rows = await server.keygate.runtime.orm.em.fork().getConnection().execute(`select failures, verifications from key_usage where key_id = ?`, [key.id]);
    expect(rows).toEqual([{ failures: 1, verifications: 0 }]);
  });

  it('can still be revoked (final), and a rotation of it hands the new key the disabled state', async () => {
    const revoked = await createKey(server.root, { appId });
    await server.root.ok(UpdateApiKeyDocument, { id: revoked.id, input: { enabled: false } });
    const after = await server.root.ok(RevokeApiKeyDocument, { id: revoked.id });
    expect(after.revokeApiKey.status).toBe('REVOKED');

    const rotating = await createKey(server.root, { appId });
    await server.root.ok(UpdateApiKeyDocument, { id: rotating.id, input: { enabled: false } });
    const rotated = await server.root.ok(RotateApiKeyDocument, { id: rotating.id, gracePeriodSeconds: 60 });
    const fresh = await server.root.ok(ApiKeyDocument, { id: rotated.rotateApiKey.rotation.newKey.id });
    expect(fresh.apiKey).toMatchObject({ enabled: false, status: 'DISABLED' });
    expect((await rest.call('/auth/verify', { key: rotated.rotateApiKey.secret })).status).toBe(401);
    // Revoking the old key inside its grace ends that rotation, disabled or not.
    await server.root.ok(RevokeApiKeyDocument, { id: rotating.id });
    const old = await server.root.ok(ApiKeyDocument, { id: rotating.id });
    expect(old.apiKey?.status).toBe('REVOKED');
  });
});
