import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../src/database/scratch-database';
import { RevokeApiKeyDocument } from '../generated/graphql';
import { cookieGraphql, signInCookie, VIEWER } from '../helpers/console';
import { createApp, createKey } from '../helpers/fixtures';
import { GraphQLClient } from '../helpers/graphql-client';
import { BIN, type ServerProcess, startServerProcess } from '../helpers/server-process';
import { TEST_DIALECT } from '../helpers/test-server';

/** Console sessions live in the database: a session opened on one process works on every other, and ends on all of them. */

if (TEST_DIALECT !== 'postgresql') {
  it.skip('several processes share one database only on PostgreSQL; run with KEYGATE_TEST_DB=postgres', () => undefined);
}

describe.skipIf(TEST_DIALECT !== 'postgresql')('console sessions across two Keygate processes', () => {
  let database: ScratchDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  let rootA: GraphQLClient;
  let rootKey: string;
  let appId: string;

  beforeAll(async () => {
    database = await createScratchDatabase('postgresql');
    if (database.config.dialect !== 'postgresql') throw new Error('unreachable');
    const env = { NODE_ENV: 'test', DATABASE_URL: database.config.url, KEYGATE_MASTER_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'info' };
    const bootstrap = spawnSync(process.execPath, [BIN, 'bootstrap'], { env: { ...env, PATH: process.env.PATH }, encoding: 'utf8', timeout: 60_000 });
    expect(bootstrap.status, bootstrap.stderr).toBe(0);
    rootKey = bootstrap.stdout.trim();
    const cwd = mkdtempSync(join(tmpdir(), 'keygate-console-scale-'));
    [a, b] = await Promise.all([startServerProcess(cwd, env), startServerProcess(cwd, env)]);
    rootA = new GraphQLClient(a.url, rootKey);
    appId = (await createApp(rootA, 'Scaled console')).id;
  }, 90_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  });

  it('a session opened on A works on B, and signing out on A ends it on B', async () => {
    const cookie = await signInCookie(a.baseUrl, rootKey);
    expect((await cookieGraphql(b.baseUrl, cookie, VIEWER)).status).toBe(200);
    const out = await fetch(`${a.baseUrl}/console/session`, { method: 'DELETE', headers: { cookie, origin: a.baseUrl } });
    expect(out.status).toBe(204);
    expect((await cookieGraphql(b.baseUrl, cookie, VIEWER)).status).toBe(401);
  });

  it("a key revoked through A ends its session on B, though B had the key cached", async () => {
    const admin = await createKey(rootA, { appId, role: 'ADMIN', mode: 'LIVE' });
    const cookie = await signInCookie(a.baseUrl, admin.secret);
    expect((await cookieGraphql(b.baseUrl, cookie, VIEWER)).status).toBe(200);
    await rootA.ok(RevokeApiKeyDocument, { id: admin.id });
    // B hears of the revocation through LISTEN/NOTIFY (scale-out.test.ts bounds that to 1 s).
    await expect.poll(async () => (await cookieGraphql(b.baseUrl, cookie, VIEWER)).status, { timeout: 3_000, interval: 20 }).toBe(401);
  });
});
