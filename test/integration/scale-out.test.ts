import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../src/database/scratch-database';
import { CompleteRotationDocument, DeleteAppDocument, RevokeApiKeyDocument, RotateApiKeyDocument, SessionAccessDocument, UpdateAppDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { GraphQLClient } from '../helpers/graphql-client';
import { BIN, type ServerProcess, startServerProcess } from '../helpers/server-process';
import { TEST_DIALECT, type TestServer, startTestServer } from '../helpers/test-server';

/**
 * DESIGN.md "Scale-out": verified keys are cached in each process, and a revocation,
 * a rotation's completion or an app's deletion must reach every cache at once, not
 * after its TTL. Within one process the cache is invalidated right after the commit;
 * across processes PostgreSQL LISTEN/NOTIFY carries it.
 */

async function verify(baseUrl: string, key: string): Promise<number> {
  const response = await fetch(`${baseUrl}/auth/verify`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(5_000) });
  await response.arrayBuffer();
  return response.status;
}

/** Polls until the key is refused; returns how long that took (ms), or Infinity after `limitMs`. */
async function msUntilRefused(baseUrl: string, key: string, since: number, limitMs = 3_000): Promise<number> {
  for (;;) {
    const status = await verify(baseUrl, key);
    const elapsed = performance.now() - since;
    if (status === 401) return elapsed;
    expect(status).toBe(200);
    if (elapsed > limitMs) return Number.POSITIVE_INFINITY;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Verifies twice, so the key is surely in that process's cache. */
async function warm(baseUrl: string, key: string) {
  expect(await verify(baseUrl, key)).toBe(200);
  expect(await verify(baseUrl, key)).toBe(200);
}

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
    expect(await verify(server.baseUrl, key.secret)).toBe(401);
  });

  it('rotateApiKey keeps the old key working in grace; completeRotation ends it at once', async () => {
    const key = await createKey(server.root, { appId });
    await warm(server.baseUrl, key.secret);
    const { rotateApiKey } = await server.root.ok(RotateApiKeyDocument, { id: key.id, gracePeriodSeconds: 3600 });
    expect(await verify(server.baseUrl, key.secret)).toBe(200);
    expect(await verify(server.baseUrl, rotateApiKey.secret)).toBe(200);
    await server.root.ok(CompleteRotationDocument, { id: rotateApiKey.rotation.id });
    expect(await verify(server.baseUrl, key.secret)).toBe(401);
    expect(await verify(server.baseUrl, rotateApiKey.secret)).toBe(200);
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
    for (const key of keys) expect(await verify(server.baseUrl, key.secret)).toBe(401);
  });
});

if (TEST_DIALECT !== 'postgresql') {
  it.skip('several processes share one database only on PostgreSQL (LISTEN/NOTIFY); SQLite is one process — run with KEYGATE_TEST_DB=postgres', () => undefined);
}

describe.skipIf(TEST_DIALECT !== 'postgresql')('two Keygate processes on one PostgreSQL database', () => {
  let database: ScratchDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  let rootA: GraphQLClient;
  let appId: string;

  beforeAll(async () => {
    database = await createScratchDatabase('postgresql');
    if (database.config.dialect !== 'postgresql') throw new Error('unreachable');
    const env = { NODE_ENV: 'test', DATABASE_URL: database.config.url, KEYGATE_MASTER_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'info' };
    const bootstrap = spawnSync(process.execPath, [BIN, 'bootstrap'], { env: { ...env, PATH: process.env.PATH }, encoding: 'utf8', timeout: 60_000 });
    expect(bootstrap.status, bootstrap.stderr).toBe(0);
    const cwd = mkdtempSync(join(tmpdir(), 'keygate-scale-'));
    [a, b] = await Promise.all([startServerProcess(cwd, env), startServerProcess(cwd, env)]);
    rootA = new GraphQLClient(a.url, bootstrap.stdout.trim());
    appId = (await createApp(rootA, 'Scaled app')).id;
  }, 90_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  });

  it('a key revoked through A is refused by B within 1 s, though B had it cached', async () => {
    const key = await createKey(rootA, { appId });
    await warm(b.baseUrl, key.secret);
    const since = performance.now();
    await rootA.ok(RevokeApiKeyDocument, { id: key.id });
    expect(await msUntilRefused(b.baseUrl, key.secret, since)).toBeLessThan(1_000);
  });

  it('a rotation completed through A ends the old key on B within 1 s; B honoured the grace before', async () => {
    const key = await createKey(rootA, { appId });
    await warm(b.baseUrl, key.secret);
    const { rotateApiKey } = await rootA.ok(RotateApiKeyDocument, { id: key.id, gracePeriodSeconds: 3600 });
    await warm(b.baseUrl, key.secret);
    await warm(b.baseUrl, rotateApiKey.secret);
    const since = performance.now();
    await rootA.ok(CompleteRotationDocument, { id: rotateApiKey.rotation.id });
    expect(await msUntilRefused(b.baseUrl, key.secret, since)).toBeLessThan(1_000);
    expect(await verify(b.baseUrl, rotateApiKey.secret)).toBe(200);
  });

  it('an app deleted through A has all its keys refused by B within 1 s', async () => {
    const doomed = (await createApp(rootA, 'Doomed app')).id;
    const key = await createKey(rootA, { appId: doomed });
    await warm(b.baseUrl, key.secret);
    const since = performance.now();
    await rootA.ok(DeleteAppDocument, { id: doomed });
    expect(await msUntilRefused(b.baseUrl, key.secret, since)).toBeLessThan(1_000);
  });

  it('token settings changed through A apply to mints on B within 1 s', async () => {
    const writerKey = (await createKey(rootA, { appId, role: 'READ_WRITE' })).secret;
    const onB = new GraphQLClient(b.url, writerKey);
    expect((await onB.request(SessionAccessDocument, { input: { userId: 'u', tokenLifetime: 7200 } })).errors).toBeUndefined();
    await rootA.ok(UpdateAppDocument, { id: appId, input: { maxTokenLifetime: 3600 } });
    const since = performance.now();
    for (;;) {
      const result = await onB.request(SessionAccessDocument, { input: { userId: 'u', tokenLifetime: 7200 } });
      if (result.errors?.[0].extensions?.code === 'BAD_USER_INPUT') break;
      expect(performance.now() - since).toBeLessThan(1_000);
      await new Promise((r) => setTimeout(r, 10));
    }
    await rootA.ok(UpdateAppDocument, { id: appId, input: { maxTokenLifetime: 86_400 } });
  });

  it('with its listening connection cut, B still refuses a revoked key within its short fallback TTL', async () => {
    if (database.config.dialect !== 'postgresql') throw new Error('unreachable');
    const key = await createKey(rootA, { appId });
    await warm(b.baseUrl, key.secret);
    const admin = new Client({ connectionString: database.config.url });
    await admin.connect();
    try {
      const cut = await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = 'keygate-key-changes'",
      );
      expect(cut.rowCount).toBe(2);
    } finally {
      await admin.end();
    }
    const since = performance.now();
    await rootA.ok(RevokeApiKeyDocument, { id: key.id });
    // The notification may be lost while B reconnects; its cache then trusts entries 1 s at most.
    expect(await msUntilRefused(b.baseUrl, key.secret, since)).toBeLessThan(2_000);
  });

  it('both listeners reconnect by themselves, and B hears changes again', async () => {
    if (database.config.dialect !== 'postgresql') throw new Error('unreachable');
    const admin = new Client({ connectionString: database.config.url });
    await admin.connect();
    try {
      const deadline = performance.now() + 10_000;
      let listeners = 0;
      while (listeners < 2 && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        const result = await admin.query("select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'keygate-key-changes'");
        listeners = result.rows[0].n as number;
      }
      expect(listeners).toBe(2);
    } finally {
      await admin.end();
    }
    const key = await createKey(rootA, { appId });
    await warm(b.baseUrl, key.secret);
    const since = performance.now();
    await rootA.ok(RevokeApiKeyDocument, { id: key.id });
    expect(await msUntilRefused(b.baseUrl, key.secret, since)).toBeLessThan(1_000);
  });
});
