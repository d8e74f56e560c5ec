import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompleteRotationDocument, DeleteAppDocument, RevokeApiKeyDocument, RotateApiKeyDocument, SessionAccessDocument, UpdateAppDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { GraphQLClient } from '../helpers/graphql-client';
import { waitFor } from '../helpers/process-harness';
import { SCALE_OUT_SKIPPED, scaleOutSuite, twoProcessSuite, untilVerifyStatus, verifyStatus, warm } from '../helpers/scale-out';
import { type TestServer, startTestServer } from '../helpers/test-server';

/**
 * DESIGN.md "Scale-out": verified keys are cached in each process, and a revocation,
 * a rotation's completion or an app's deletion must reach every cache at once, not
 * after its TTL. Within one process the cache is invalidated right after the commit;
 * across processes PostgreSQL LISTEN/NOTIFY carries it. How fast is bench figure 5's
 * business; these check that it happens, and for the right reason.
 */

describe('one process: a warm cache never outlives a change to the key', () => {
  let server: TestServer;
  let appId: string;
  beforeAll(async () => {
    server = await startTestServer();
    appId = (await createApp(server.root, 'Cached app')).id;
  });
  afterAll(() => server?.close());

  it('revokeApiKey: the very next request is refused', async () => {
    const key = await createKey(server.root, { appId });
    await warm(server.baseUrl, key.secret);
    await server.root.ok(RevokeApiKeyDocument, { id: key.id });
    expect(await verifyStatus(server.baseUrl, key.secret)).toBe(401);
  });

  it('rotateApiKey keeps the old key working in grace; completeRotation ends it at once', async () => {
    const key = await createKey(server.root, { appId });
    await warm(server.baseUrl, key.secret);
    const { rotateApiKey } = await server.root.ok(RotateApiKeyDocument, { id: key.id, gracePeriodSeconds: 3600 });
    expect(await verifyStatus(server.baseUrl, key.secret)).toBe(200);
    expect(await verifyStatus(server.baseUrl, rotateApiKey.secret)).toBe(200);
    await server.root.ok(CompleteRotationDocument, { id: rotateApiKey.rotation.id });
    expect(await verifyStatus(server.baseUrl, key.secret)).toBe(401);
    expect(await verifyStatus(server.baseUrl, rotateApiKey.secret)).toBe(200);
  });

  it('updateApp: the very next sessionAccess follows the new token lifetimes (cached app settings are dropped)', async () => {
    const writer = server.client((await createKey(server.root, { appId, role: 'READ_WRITE' })).secret);
    expect((await writer.request(SessionAccessDocument, { input: { userId: 'u', tokenLifetime: 7200 } })).errors).toBeUndefined();
    await server.root.ok(UpdateAppDocument, { id: appId, input: { maxTokenLifetime: 3600 } });
    const refused = await writer.request(SessionAccessDocument, { input: { userId: 'u', tokenLifetime: 7200 } });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tokenLifetime' });
  });

  it('deleteApp: the next sessionAccess for it (by root) is NOT_FOUND', async () => {
    const doomed = (await createApp(server.root, 'Minting app')).id;
    expect((await server.root.request(SessionAccessDocument, { input: { appId: doomed, mode: 'TEST', userId: 'u' } })).errors).toBeUndefined();
    await server.root.ok(DeleteAppDocument, { id: doomed });
    const refused = await server.root.request(SessionAccessDocument, { input: { appId: doomed, mode: 'TEST', userId: 'u' } });
    expect(refused.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('deleteApp: every cached key of the app is refused at once', async () => {
    const doomed = (await createApp(server.root, 'Doomed app')).id;
    const keys = [await createKey(server.root, { appId: doomed }), await createKey(server.root, { appId: doomed, mode: 'LIVE' })];
    for (const key of keys) await warm(server.baseUrl, key.secret);
    await server.root.ok(DeleteAppDocument, { id: doomed });
    for (const key of keys) expect(await verifyStatus(server.baseUrl, key.secret)).toBe(401);
  });
});

describe.skipIf(SCALE_OUT_SKIPPED)(scaleOutSuite('two Keygate processes on one PostgreSQL database'), () => {
  const two = twoProcessSuite('Scaled app');

  async function listeners(): Promise<{ cut(): Promise<number>; count(): Promise<number>; close(): Promise<void> }> {
    if (two.db.database.config.dialect !== 'postgresql') throw new Error('unreachable');
    const admin = new Client({ connectionString: two.db.database.config.url });
    await admin.connect();
    const ours = "datname = current_database() and application_name = 'keygate-key-changes'";
    return {
      cut: async () => (await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where ${ours}`)).rowCount ?? 0,
      count: async () => (await admin.query(`select count(*)::int as n from pg_stat_activity where ${ours}`)).rows[0].n as number,
      close: () => admin.end(),
    };
  }

  it('a key revoked through A is refused by B, though B had it cached', async () => {
    const key = await createKey(two.root, { appId: two.appId });
    await warm(two.b.baseUrl, key.secret);
    await two.root.ok(RevokeApiKeyDocument, { id: key.id });
    await untilVerifyStatus(two.b.baseUrl, key.secret, 401);
  });

  it('a rotation completed through A ends the old key on B; B honoured the grace before', async () => {
    const key = await createKey(two.root, { appId: two.appId });
    await warm(two.b.baseUrl, key.secret);
    const { rotateApiKey } = await two.root.ok(RotateApiKeyDocument, { id: key.id, gracePeriodSeconds: 3600 });
    await warm(two.b.baseUrl, key.secret);
    await warm(two.b.baseUrl, rotateApiKey.secret);
    await two.root.ok(CompleteRotationDocument, { id: rotateApiKey.rotation.id });
    await untilVerifyStatus(two.b.baseUrl, key.secret, 401);
    expect(await verifyStatus(two.b.baseUrl, rotateApiKey.secret)).toBe(200);
  });

  it('an app deleted through A has all its keys refused by B', async () => {
    const doomed = (await createApp(two.root, 'Doomed app')).id;
    const key = await createKey(two.root, { appId: doomed });
    await warm(two.b.baseUrl, key.secret);
    await two.root.ok(DeleteAppDocument, { id: doomed });
    await untilVerifyStatus(two.b.baseUrl, key.secret, 401);
  });

  it('token settings changed through A apply to the next mint on B once B has heard of the change', async () => {
    const writerKey = (await createKey(two.root, { appId: two.appId, role: 'READ_WRITE' })).secret;
    const onB = new GraphQLClient(two.b.url, writerKey);
    expect((await onB.request(SessionAccessDocument, { input: { userId: 'u', tokenLifetime: 7200 } })).errors).toBeUndefined();
    const sentinel = await createKey(two.root, { appId: two.appId });
    await warm(two.b.baseUrl, sentinel.secret);
    await two.root.ok(UpdateAppDocument, { id: two.appId, input: { maxTokenLifetime: 3600 } });
    // B caches app settings for seconds, keys for an hour. A revocation committed after the
    // update is notified after it (PostgreSQL delivers in commit order), so once B refuses
    // the sentinel it has applied the update's notification too: no waiting on a TTL.
    await two.root.ok(RevokeApiKeyDocument, { id: sentinel.id });
    await untilVerifyStatus(two.b.baseUrl, sentinel.secret, 401);
    const refused = await onB.request(SessionAccessDocument, { input: { userId: 'u', tokenLifetime: 7200 } });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tokenLifetime' });
    await two.root.ok(UpdateAppDocument, { id: two.appId, input: { maxTokenLifetime: 86_400 } });
  });

  it('with its listening connection cut, B still refuses a revoked key (it trusts cached keys only briefly until it listens again)', async () => {
    const key = await createKey(two.root, { appId: two.appId });
    await warm(two.b.baseUrl, key.secret);
    const admin = await listeners();
    try {
      expect(await admin.cut()).toBe(2);
    } finally {
      await admin.close();
    }
    // The notification may be lost while B reconnects: the short degraded TTL, or the cache
    // cleared on reconnecting, ends the hour-long trust in the cached key.
    await two.root.ok(RevokeApiKeyDocument, { id: key.id });
    await untilVerifyStatus(two.b.baseUrl, key.secret, 401);
  });

  it('both listeners reconnect by themselves, and B hears changes again', async () => {
    const admin = await listeners();
    try {
      expect(await waitFor(async () => (await admin.count()) === 2, 15_000, 100)).toBe(true);
    } finally {
      await admin.close();
    }
    const key = await createKey(two.root, { appId: two.appId });
    await warm(two.b.baseUrl, key.secret);
    await two.root.ok(RevokeApiKeyDocument, { id: key.id });
    await untilVerifyStatus(two.b.baseUrl, key.secret, 401);
  });
});
