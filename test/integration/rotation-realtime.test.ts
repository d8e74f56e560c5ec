import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RotateApiKeyDocument, ViewerDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { reasonOf } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer(); // the real clock
});
afterAll(() => server?.close());

/**
 * The same as rotations.test.ts's "ends the old key exactly at graceEndsAt", on the real
 * clock that production uses: the test waits for the old key's refusal itself, and checks
 * it comes no earlier than graceEndsAt, with the new key working throughout.
 */
describe('rotation on the wall clock', () => {
  it('a 2-second grace: both keys work, then only the new one, with no downtime', async () => {
    const app = await createApp(server.root, 'Realtime');
    const old = await createKey(server.root, { appId: app.id, role: 'READ_WRITE', mode: 'LIVE' });
    const { rotateApiKey } = await server.root.ok(RotateApiKeyDocument, { id: old.id, gracePeriodSeconds: 2 });
    const graceEndsAt = Date.parse(rotateApiKey.rotation.graceEndsAt);

    const oldAnswers = async () => server.client(old.secret).request(ViewerDocument);
    expect((await oldAnswers()).status).toBe(200);
    // Time has to pass: wait for the moment itself, then for the refusal (no margin to guess).
    await new Promise((r) => setTimeout(r, graceEndsAt - Date.now()));
    let refused = await oldAnswers();
    while (refused.status === 200) {
      expect((await server.client(rotateApiKey.secret).request(ViewerDocument)).status).toBe(200);
      refused = await oldAnswers();
    }
    // The server read the same clock before answering, so its refusal cannot precede graceEndsAt.
    expect(Date.now()).toBeGreaterThanOrEqual(graceEndsAt);
    expect(refused.status).toBe(401);
    expect(reasonOf(refused)).toBe('KEY_REVOKED');
    expect((await server.client(rotateApiKey.secret).request(ViewerDocument)).status).toBe(200);
  });
});
