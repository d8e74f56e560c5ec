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

describe('rotation on the wall clock', () => {
  it('a 2-second grace: both keys work, then only the new one, with no downtime', async () => {
    const app = await createApp(server.root, 'Realtime');
    const old = await createKey(server.root, { appId: app.id, role: 'READ_WRITE', mode: 'LIVE' });
    const { rotateApiKey } = await server.root.ok(RotateApiKeyDocument, { id: old.id, gracePeriodSeconds: 2 });
    const graceEndsAt = Date.parse(rotateApiKey.rotation.graceEndsAt);

    expect((await server.client(old.secret).request(ViewerDocument)).status).toBe(200);
    expect((await server.client(rotateApiKey.secret).request(ViewerDocument)).status).toBe(200);

    await new Promise((r) => setTimeout(r, Math.max(0, graceEndsAt - Date.now()) + 50));
    const refused = await server.client(old.secret).request(ViewerDocument);
    expect(refused.status).toBe(401);
    expect(reasonOf(refused)).toBe('KEY_REVOKED');
    expect((await server.client(rotateApiKey.secret).request(ViewerDocument)).status).toBe(200);
  });
});
