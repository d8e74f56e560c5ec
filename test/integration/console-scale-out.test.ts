import { describe, expect, it } from 'vitest';
import { RevokeApiKeyDocument } from '../generated/graphql';
import { cookieGraphql, signInCookie, VIEWER } from '../helpers/console';
import { createKey } from '../helpers/fixtures';
import { waitFor } from '../helpers/process-harness';
import { SCALE_OUT_SKIPPED, scaleOutSuite, twoProcessSuite } from '../helpers/scale-out';

/** Console sessions live in the database: a session opened on one process works on every other, and ends on all of them. */
describe.skipIf(SCALE_OUT_SKIPPED)(scaleOutSuite('console sessions across two Keygate processes'), () => {
  const two = twoProcessSuite('Scaled console');

  it('a session opened on A works on B, and signing out on A ends it on B', async () => {
    const cookie = await signInCookie(two.a.baseUrl, two.db.rootKey);
    expect((await cookieGraphql(two.b.baseUrl, cookie, VIEWER)).status).toBe(200);
    const out = await fetch(`${two.a.baseUrl}/console/session`, { method: 'DELETE', headers: { cookie, origin: two.a.baseUrl } });
    expect(out.status).toBe(204);
    expect((await cookieGraphql(two.b.baseUrl, cookie, VIEWER)).status).toBe(401);
  });

  it("a key revoked through A ends its session on B, though B had the key cached", async () => {
    const admin = await createKey(two.root, { appId: two.appId, role: 'ADMIN', mode: 'LIVE' });
    const cookie = await signInCookie(two.a.baseUrl, admin.secret);
    expect((await cookieGraphql(two.b.baseUrl, cookie, VIEWER)).status).toBe(200);
    await two.root.ok(RevokeApiKeyDocument, { id: admin.id });
    // B hears of the revocation through LISTEN/NOTIFY; its cache alone would keep the key an hour.
    expect(await waitFor(async () => (await cookieGraphql(two.b.baseUrl, cookie, VIEWER)).status === 401, 15_000)).toBe(true);
  });
});
