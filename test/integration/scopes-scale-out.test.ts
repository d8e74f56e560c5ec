import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SetAppScopesDocument, SetKeyScopesDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { GraphQLClient } from '../helpers/graphql-client';
import { type ProcessDatabase, type TrackedProcess, ensureStopped, prepareProcessDatabase, startTracked, waitFor } from '../helpers/process-harness';
import { LONG_KEY_CACHE_ENV, SCALE_OUT_SKIPPED, scaleOutSuite } from '../helpers/scale-out';

/** As scale-out.ts's PROPAGATION_LIMIT_MS: far below the cache's hour, far above what a notification takes. */
const PROPAGATION_LIMIT_MS = 15_000;

async function forwardStatus(baseUrl: string, key: string, scope: string): Promise<number> {
  const response = await fetch(`${baseUrl}/auth/forward?scope=${encodeURIComponent(scope)}`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(30_000) });
  await response.arrayBuffer();
  return response.status;
}

async function untilForwardStatus(baseUrl: string, key: string, scope: string, status: number): Promise<void> {
  const reached = await waitFor(async () => (await forwardStatus(baseUrl, key, scope)) === status, PROPAGATION_LIMIT_MS);
  expect(reached, `${baseUrl} never answered ${status} for ?scope=${scope}: the change did not reach it`).toBe(true);
}

/**
 * DESIGN.md "Scopes": a change reaches every process like a revocation does. Two real
 * Keygate processes on one PostgreSQL database, keys cached for an hour: a scope taken
 * away through A stops being answered by B, which had the key cached.
 */
describe.skipIf(SCALE_OUT_SKIPPED)(scaleOutSuite('scope changes across two processes on one PostgreSQL database (one process: scopes.test.ts)'), () => {
  let db: ProcessDatabase;
  let a: TrackedProcess;
  let b: TrackedProcess;
  let root: GraphQLClient;
  let appId: string;

  beforeAll(async () => {
    db = await prepareProcessDatabase(LONG_KEY_CACHE_ENV);
    [a, b] = await Promise.all([startTracked(db), startTracked(db)]);
    root = new GraphQLClient(a.url, db.rootKey);
    appId = (await createApp(root, 'Scaled scopes')).id;
    await root.ok(SetAppScopesDocument, { id: appId, scopes: [{ name: 'orders:read' }, { name: 'orders:refund' }] });
  }, 90_000);

  afterAll(async () => {
    await Promise.all([ensureStopped(a), ensureStopped(b)]);
    await db?.drop();
  });

  it('a declared scope removed through A is refused by B, which had the key cached', async () => {
    const key = await createKey(root, { appId, extra: { scopes: ['orders:read', 'orders:refund'] } });
    expect(await forwardStatus(b.baseUrl, key.secret, 'orders:refund')).toBe(200);
    expect(await forwardStatus(b.baseUrl, key.secret, 'orders:refund')).toBe(200);
    await root.ok(SetAppScopesDocument, { id: appId, scopes: [{ name: 'orders:read' }] });
    await untilForwardStatus(b.baseUrl, key.secret, 'orders:refund', 403);
    expect(await forwardStatus(b.baseUrl, key.secret, 'orders:read')).toBe(200);
  });

  it('a scope granted and then taken from a key through A reaches B both times', async () => {
    await root.ok(SetAppScopesDocument, { id: appId, scopes: [{ name: 'orders:read' }, { name: 'orders:refund' }] });
    const key = await createKey(root, { appId, extra: { scopes: ['orders:read'] } });
    expect(await forwardStatus(b.baseUrl, key.secret, 'orders:refund')).toBe(403);
    await root.ok(SetKeyScopesDocument, { id: key.id, scopes: ['orders:read', 'orders:refund'] });
    await untilForwardStatus(b.baseUrl, key.secret, 'orders:refund', 200);
    await root.ok(SetKeyScopesDocument, { id: key.id, scopes: ['orders:read'] });
    await untilForwardStatus(b.baseUrl, key.secret, 'orders:refund', 403);
  });
});
