import { beforeAll, describe, expect, it } from 'vitest';
import { SetAppScopesDocument, SetKeyScopesDocument } from '../generated/graphql';
import { createKey } from '../helpers/fixtures';
import { SCALE_OUT_SKIPPED, authStatus, scaleOutSuite, twoProcessSuite, untilAuthStatus } from '../helpers/scale-out';

/** GET /auth/forward asking for one scope: 200 while the key holds it, 403 once it does not. */
const forwardPath = (scope: string): string => `/auth/forward?scope=${encodeURIComponent(scope)}`;

/**
 * DESIGN.md "Scopes": a change reaches every process like a revocation does. Two real
 * Keygate processes on one PostgreSQL database, keys cached for an hour: a scope taken
 * away through A stops being answered by B, which had the key cached.
 */
describe.skipIf(SCALE_OUT_SKIPPED)(scaleOutSuite('scope changes across two processes on one PostgreSQL database (one process: scopes.test.ts)'), () => {
  const two = twoProcessSuite('Scaled scopes');

  beforeAll(async () => {
    await two.root.ok(SetAppScopesDocument, { id: two.appId, scopes: [{ name: 'orders:read' }, { name: 'orders:refund' }] });
  });

  it('a declared scope removed through A is refused by B, which had the key cached', async () => {
    const key = await createKey(two.root, { appId: two.appId, extra: { scopes: ['orders:read', 'orders:refund'] } });
    expect(await authStatus(two.b.baseUrl, key.secret, forwardPath('orders:refund'))).toBe(200);
    expect(await authStatus(two.b.baseUrl, key.secret, forwardPath('orders:refund'))).toBe(200);
    await two.root.ok(SetAppScopesDocument, { id: two.appId, scopes: [{ name: 'orders:read' }] });
    await untilAuthStatus(two.b.baseUrl, key.secret, 403, forwardPath('orders:refund'));
    expect(await authStatus(two.b.baseUrl, key.secret, forwardPath('orders:read'))).toBe(200);
  });

  it('a scope granted and then taken from a key through A reaches B both times', async () => {
    await two.root.ok(SetAppScopesDocument, { id: two.appId, scopes: [{ name: 'orders:read' }, { name: 'orders:refund' }] });
    const key = await createKey(two.root, { appId: two.appId, extra: { scopes: ['orders:read'] } });
    expect(await authStatus(two.b.baseUrl, key.secret, forwardPath('orders:refund'))).toBe(403);
    await two.root.ok(SetKeyScopesDocument, { id: key.id, scopes: ['orders:read', 'orders:refund'] });
    await untilAuthStatus(two.b.baseUrl, key.secret, 200, forwardPath('orders:refund'));
    await two.root.ok(SetKeyScopesDocument, { id: key.id, scopes: ['orders:read'] });
    await untilAuthStatus(two.b.baseUrl, key.secret, 403, forwardPath('orders:refund'));
  });
});
