import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, createKey } from '../helpers/fixtures';
import { codeOf, type GraphQLResult } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * The review's two smaller findings: a key pasted into a name or a revoke reason was
 * stored and audited verbatim, and rotation dropped `expiresAt`, so a temporary key could
 * rotate itself into a permanent one.
 */
let server: TestServer;
let appId: string;
let leaked: string;

beforeAll(async () => {
  server = await startTestServer();
  appId = (await createApp(server.root, 'Hygiene')).id;
  leaked = (await createKey(server.root, { appId, role: 'ADMIN', mode: 'LIVE' })).secret;
});
afterAll(() => server?.close());

const fieldOf = (r: GraphQLResult<unknown>) => r.errors?.[0]?.extensions?.field;

describe('key-shaped text is refused before it is stored', () => {
  const pasted = () => [leaked, `backend ${leaked}`, 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlc2lnbmF0dXJl'];

  it('in a new key name (BAD_USER_INPUT, field name), and nothing is created', async () => {
    for (const name of pasted()) {
      const r = await server.root.raw('mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { id } } }', {
        i: { appId, name, kind: 'SECRET', mode: 'LIVE', role: 'READ_ONLY' },
      });
      expect(codeOf(r)).toBe('BAD_USER_INPUT');
      expect(fieldOf(r)).toBe('name');
      expect(JSON.stringify(r)).not.toContain(leaked);
    }
  });

  it('in a renamed key and in an app name', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE' });
    const renamed = await server.root.raw('mutation($id: ID!, $n: String) { updateApiKey(id: $id, input: { name: $n }) { id } }', { id: key.id, n: leaked });
    expect([codeOf(renamed), fieldOf(renamed)]).toEqual(['BAD_USER_INPUT', 'name']);
    const app = await server.root.raw('mutation($n: String!) { createApp(input: { name: $n }) { id } }', { n: `Shop ${leaked}` });
    expect([codeOf(app), fieldOf(app)]).toEqual(['BAD_USER_INPUT', 'name']);
  });

  it('in a revoke reason: refused, the key keeps working, and the audit trail never holds it', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE' });
    const r = await server.root.raw('mutation($id: ID!, $why: String) { revokeApiKey(id: $id, reason: $why) { status } }', { id: key.id, why: `leaked: ${leaked}` });
    expect([codeOf(r), fieldOf(r)]).toEqual(['BAD_USER_INPUT', 'reason']);
    expect((await fetch(`${server.baseUrl}/auth/verify`, { headers: { authorization: `Bearer ${key.secret}` } })).status).toBe(200);
    const audit = await server.root.raw('query($a: ID!) { auditEvents(appId: $a, first: 100) { nodes { details } } }', { a: appId });
    expect(JSON.stringify(audit.data)).not.toContain(leaked);
  });

  it('ordinary names and reasons with underscores and digits still pass', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', name: 'sk_backend_2026 (eu-west_1)' });
    const r = await server.root.raw('mutation($id: ID!) { revokeApiKey(id: $id, reason: "rotated by ops ticket OPS_1234") { status } }', { id: key.id });
    expect(codeOf(r)).toBeUndefined();
  });
});

describe('rotation keeps the expiry', () => {
  const rotate = (id: string, extra = '') =>
    server.root.raw<{ rotateApiKey: { rotation: { newKey: { expiresAt: string | null } } } }>(
      `mutation($id: ID!${extra ? ', $at: DateTime' : ''}) { rotateApiKey(id: $id, gracePeriodSeconds: 0${extra}) { rotation { newKey { expiresAt } } } }`,
      { id, at: extra ? new Date(Date.now() + 7 * 86400_000).toISOString() : undefined },
    );

  it("the new key of a temporary key expires when the old one would have", async () => {
    const expiresAt = new Date(Date.now() + 86400_000).toISOString();
    const key = await createKey(server.root, { appId, mode: 'LIVE', expiresAt });
    const r = await rotate(key.id);
    expect(r.data?.rotateApiKey.rotation.newKey.expiresAt).toBe(expiresAt);
  });

  it('a caller may name another expiry (as it could on creation), or none with an explicit null', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', expiresAt: new Date(Date.now() + 86400_000).toISOString() });
    const later = await rotate(key.id, ', expiresAt: $at');
    expect(new Date(later.data!.rotateApiKey.rotation.newKey.expiresAt!).getTime()).toBeGreaterThan(Date.now() + 6 * 86400_000);
    const other = await createKey(server.root, { appId, mode: 'LIVE', expiresAt: new Date(Date.now() + 86400_000).toISOString() });
    const none = await server.root.raw<{ rotateApiKey: { rotation: { newKey: { expiresAt: string | null } } } }>(
      'mutation($id: ID!) { rotateApiKey(id: $id, gracePeriodSeconds: 0, expiresAt: null) { rotation { newKey { expiresAt } } } }',
      { id: other.id },
    );
    expect(none.data?.rotateApiKey.rotation.newKey.expiresAt).toBeNull();
  });

  it('an expiry in the past is BAD_USER_INPUT (field expiresAt) and the old key is untouched', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE' });
    const r = await server.root.raw('mutation($id: ID!) { rotateApiKey(id: $id, expiresAt: "2020-01-01T00:00:00Z") { secret } }', { id: key.id });
    expect([codeOf(r), fieldOf(r)]).toEqual(['BAD_USER_INPUT', 'expiresAt']);
    expect((await fetch(`${server.baseUrl}/auth/verify`, { headers: { authorization: `Bearer ${key.secret}` } })).status).toBe(200);
  });
});

describe('management API answers are never stored by a browser or a proxy', () => {
  const post = (query: string, variables: Record<string, unknown>) =>
    fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${leaked}` }, body: JSON.stringify({ query, variables }) });

  it('the answer that reveals a new secret says Cache-Control: no-store', async () => {
    const response = await post('mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }', { i: { appId, name: 'once', kind: 'SECRET', mode: 'LIVE', role: 'READ_ONLY' } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: { createApiKey: { secret: string } } }).data.createApiKey.secret).toMatch(/^sk_live_/);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('so do a query over GET and a refusal', async () => {
    const get = await fetch(`${server.url}?query=${encodeURIComponent('{ viewer { keyId } }')}`, { headers: { authorization: `Bearer ${leaked}`, 'apollo-require-preflight': 'true' } });
    expect(get.status).toBe(200);
    expect(get.headers.get('cache-control')).toBe('no-store');
    const refused = await post('{ nope }', {});
    expect(refused.status).toBe(400);
    expect(refused.headers.get('cache-control')).toBe('no-store');
  });
});
