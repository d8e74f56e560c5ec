import { describe, expect, it } from 'vitest';
import { ApiKeyDocument, RotateApiKeyDocument, UpdateApiKeyDocument } from '../generated/graphql';
import { runConcurrently, tally } from '../helpers/concurrency';
import { createKey } from '../helpers/fixtures';
import { SCALE_OUT_SKIPPED, scaleOutSuite, twoProcessSuite, untilVerifyStatus, verifyStatus } from '../helpers/scale-out';

/**
 * DESIGN.md "Key controls" with two real Keygate processes (the compiled server) on one
 * PostgreSQL database: spending is exact across processes — never more successful uses
 * than credits — and a change made through one process holds on the other at once.
 */
describe.skipIf(SCALE_OUT_SKIPPED)(scaleOutSuite('key controls across two processes on one PostgreSQL database (one process: credits.test.ts)'), () => {
  const two = twoProcessSuite('Scaled credits');

  it('gives exactly 500 successes for 2,000 concurrent verifications split over both processes', async () => {
    const key = await createKey(two.root, { appId: two.appId, mode: 'LIVE', extra: { credits: { remaining: 500 } } });
    const statuses = await runConcurrently(2000, 64, (i) => verifyStatus(i % 2 === 0 ? two.a.baseUrl : two.b.baseUrl, key.secret));
    expect(tally(statuses)).toEqual({ 200: 500, 429: 1500 });
    expect((await two.root.ok(ApiKeyDocument, { id: key.id })).apiKey?.credits?.remaining).toBe(0);
  }, 120_000);

  it("spends one balance through a rotation's old key on one process and its new key on the other", async () => {
    const old = await createKey(two.root, { appId: two.appId, mode: 'LIVE', extra: { credits: { remaining: 300 } } });
    const rotated = await two.root.ok(RotateApiKeyDocument, { id: old.id, gracePeriodSeconds: 3600 });
    const statuses = await runConcurrently(1000, 64, (i) => (i % 2 === 0 ? verifyStatus(two.a.baseUrl, old.secret) : verifyStatus(two.b.baseUrl, rotated.rotateApiKey.secret)));
    expect(tally(statuses)).toEqual({ 200: 300, 429: 700 });
  }, 120_000);

  it('a key disabled through A is refused by B, which had it cached, and works on B once enabled through A', async () => {
    const key = await createKey(two.root, { appId: two.appId, mode: 'LIVE' });
    expect(await verifyStatus(two.b.baseUrl, key.secret)).toBe(200);
    await two.root.ok(UpdateApiKeyDocument, { id: key.id, input: { enabled: false } });
    await untilVerifyStatus(two.b.baseUrl, key.secret, 401);
    await two.root.ok(UpdateApiKeyDocument, { id: key.id, input: { enabled: true } });
    await untilVerifyStatus(two.b.baseUrl, key.secret, 200);
  });
});
