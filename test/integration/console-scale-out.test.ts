import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevokeApiKeyDocument } from '../generated/graphql';
import { cookieGraphql, signInCookie, VIEWER } from '../helpers/console';
import { createApp, createKey } from '../helpers/fixtures';
import { GraphQLClient } from '../helpers/graphql-client';
import { type ProcessDatabase, type TrackedProcess, ensureStopped, prepareProcessDatabase, startTracked, waitFor } from '../helpers/process-harness';
import { LONG_KEY_CACHE_ENV, SCALE_OUT_SKIPPED, scaleOutSuite } from '../helpers/scale-out';

/** Console sessions live in the database: a session opened on one process works on every other, and ends on all of them. */
describe.skipIf(SCALE_OUT_SKIPPED)(scaleOutSuite('console sessions across two Keygate processes'), () => {
  let db: ProcessDatabase;
  let a: TrackedProcess;
  let b: TrackedProcess;
  let rootA: GraphQLClient;
  let rootKey: string;
  let appId: string;

  beforeAll(async () => {
    db = await prepareProcessDatabase(LONG_KEY_CACHE_ENV);
    rootKey = db.rootKey;
    [a, b] = await Promise.all([startTracked(db), startTracked(db)]);
    rootA = new GraphQLClient(a.url, rootKey);
    appId = (await createApp(rootA, 'Scaled console')).id;
  }, 90_000);

  afterAll(async () => {
    await Promise.all([ensureStopped(a), ensureStopped(b)]);
    await db?.drop();
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
    // B hears of the revocation through LISTEN/NOTIFY; its cache alone would keep the key an hour.
    expect(await waitFor(async () => (await cookieGraphql(b.baseUrl, cookie, VIEWER)).status === 401, 15_000)).toBe(true);
  });
});
