import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteAppDocument, SessionAccessDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * Finding F4: tokens a root key minted for an app stayed active after deleteApp until
 * they expired. A token is active only while its app exists — at introspection (GraphQL
 * and RFC 7662) and at /auth/forward.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function mintAsRoot(appId: string): Promise<string> {
  const { sessionAccess } = await server.root.ok(SessionAccessDocument, { input: { appId, mode: 'LIVE', userId: 'user-1' } });
  return sessionAccess.token;
}

async function isActive(token: string, introspector: string) {
  const graphql = await server.client(introspector).raw<{ introspectToken: { active: boolean } }>('query($t: String!) { introspectToken(token: $t) { active } }', { t: token });
  const rest = await fetch(`${server.baseUrl}/oauth/introspect`, {
    method: 'POST',
    headers: { authorization: `Bearer ${introspector}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
  const forward = await fetch(`${server.baseUrl}/auth/forward`, { headers: { authorization: `Bearer ${token}` } });
  return { graphql: graphql.data?.introspectToken.active, rest: ((await rest.json()) as { active: boolean }).active, forward: forward.status };
}

describe('a session token dies with its app', () => {
  it("a root-minted token is active before deleteApp and inactive everywhere at once after it", async () => {
    const app = await createApp(server.root, 'Doomed');
    const token = await mintAsRoot(app.id);
    expect(await isActive(token, server.rootKey)).toEqual({ graphql: true, rest: true, forward: 200 });

    await server.root.ok(DeleteAppDocument, { id: app.id });
    expect(await isActive(token, server.rootKey)).toEqual({ graphql: false, rest: false, forward: 401 });
  });

  it("an app key's token too (its key is revoked with the app), and tokens of other apps are untouched", async () => {
    const doomed = await createApp(server.root, 'Doomed too');
    const kept = await createApp(server.root, 'Kept');
    const writer = await createKey(server.root, { appId: doomed.id, role: 'READ_WRITE', mode: 'LIVE' });
    const { sessionAccess } = await server.client(writer.secret).ok(SessionAccessDocument, { input: { userId: 'user-2' } });
    const keptToken = await mintAsRoot(kept.id);

    await server.root.ok(DeleteAppDocument, { id: doomed.id });
    expect((await isActive(sessionAccess.token, server.rootKey)).forward).toBe(401);
    expect(await isActive(keptToken, server.rootKey)).toEqual({ graphql: true, rest: true, forward: 200 });
  });
});
