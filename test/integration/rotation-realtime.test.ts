import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RotateApiKeyDocument, ViewerDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { reasonOf } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { untilRefusedAt } from '../helpers/wall-clock';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer(); // the real clock
});
afterAll(() => server?.close());

/**
 * The same as rotations.test.ts's "ends the old key exactly at graceEndsAt", on the real
 * clock that production uses: the old key works until graceEndsAt and is refused from then
 * on, with no job running, and the new key works throughout.
 */
describe('rotation on the wall clock', () => {
  it('a 2-second grace: both keys work, then only the new one, with no downtime', async () => {
    const app = await createApp(server.root, 'Realtime');
    const old = await createKey(server.root, { appId: app.id, role: 'READ_WRITE', mode: 'LIVE' });
    const { rotateApiKey } = await server.root.ok(RotateApiKeyDocument, { id: old.id, gracePeriodSeconds: 2 });
    const newKeyWorks = async () => expect((await server.client(rotateApiKey.secret).request(ViewerDocument)).status).toBe(200);

    const refused = await untilRefusedAt(Date.parse(rotateApiKey.rotation.graceEndsAt), () => server.client(old.secret).request(ViewerDocument), newKeyWorks);
    expect(refused.status).toBe(401);
    expect(reasonOf(refused)).toBe('KEY_REVOKED');
    await newKeyWorks();
  });
});
