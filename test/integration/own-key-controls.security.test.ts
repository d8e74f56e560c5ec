import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyDocument, CreateApiKeyDocument, RevokeApiKeyDocument, RotateApiKeyDocument, type UpdateApiKeyInput, UpdateApiKeyDocument } from '../generated/graphql';
import { signInCookie } from '../helpers/console';
import { createApp, createKey } from '../helpers/fixtures';
import { type GraphQLClient, codeOf, reasonOf } from '../helpers/graphql-client';
import { type TestServer, startTestServer } from '../helpers/test-server';

/**
 * Issue 20, "a key must not loosen its own controls": changing a key's credits, rate
 * limit, IP allow-list or origins is refused (FORBIDDEN, reason INSUFFICIENT_ROLE, 403)
 * when the caller is that very key, a console session opened with it, or its rotation
 * partner. Everything else a key may do to itself still works.
 */
let server: TestServer;
let appId: string;

beforeAll(async () => {
  server = await startTestServer();
  appId = (await createApp(server.root, 'Own controls')).id;
});
afterAll(() => server?.close());

/** An ADMIN key held to 0 credits, 100.000 requests an hour and one address (loopback, where the tests run). */
const CONTROLLED = { credits: { remaining: 0 }, rateLimit: { limit: 100_000, windowSeconds: 3600 }, allowedIps: ['127.0.0.1', '::1'] };
const LOOSENINGS: [string, UpdateApiKeyInput][] = [
  ['its credits', { credits: null }],
  ['its IP allow-list', { allowedIps: [] }],
  ['its rate limit', { rateLimit: null }],
  ['its origins', { allowedOrigins: [] }],
  ['its credits, even upwards, alongside its name', { name: 'renamed', credits: { remaining: 1000 } }],
];

const controlledAdmin = () => createKey(server.root, { appId, mode: 'LIVE', role: 'ADMIN', extra: CONTROLLED });

async function expectRefused(client: GraphQLClient, id: string, input: UpdateApiKeyInput) {
  const result = await client.request(UpdateApiKeyDocument, { id, input });
  expect(result.status).toBe(403);
  expect(codeOf(result)).toBe('FORBIDDEN');
  expect(reasonOf(result)).toBe('INSUFFICIENT_ROLE');
  expect(result.data ?? null).toBeNull();
}

async function expectUnchanged(id: string) {
  const { apiKey } = await server.root.ok(ApiKeyDocument, { id });
  expect(apiKey).toMatchObject({ name: 'secret key', credits: { remaining: 0 }, rateLimit: CONTROLLED.rateLimit, allowedIps: CONTROLLED.allowedIps });
}

describe.each([
  ['used directly', (secret: string) => Promise.resolve(server.client(secret))],
  [
    'through a console session opened with it',
    async (secret: string) => server.client(undefined, { cookie: await signInCookie(server.baseUrl, secret), origin: server.baseUrl, 'apollo-require-preflight': 'true' }),
  ],
])('an ADMIN key %s', (_label, as) => {
  it.each(LOOSENINGS)('cannot change %s, and nothing of the change is written', async (_what, input) => {
    const key = await controlledAdmin();
    await expectRefused(await as(key.secret), key.id, input);
    await expectUnchanged(key.id);
  });

  it('may change its own name, owner and metadata', async () => {
    const key = await controlledAdmin();
    const { updateApiKey } = await (await as(key.secret)).ok(UpdateApiKeyDocument, { id: key.id, input: { name: 'mine', ownerId: 'team-7', meta: { tier: 'gold' } } });
    expect(updateApiKey).toMatchObject({ name: 'mine', ownerId: 'team-7', meta: { tier: 'gold' }, credits: { remaining: 0 }, allowedIps: CONTROLLED.allowedIps });
  });

  it("may change another key's controls, and create a key without any", async () => {
    const key = await controlledAdmin();
    const client = await as(key.secret);
    const other = await controlledAdmin();
    const { updateApiKey } = await client.ok(UpdateApiKeyDocument, { id: other.id, input: { credits: null, allowedIps: [], rateLimit: null } });
    expect(updateApiKey).toMatchObject({ credits: null, allowedIps: [], rateLimit: null });
    const { createApiKey } = await client.ok(CreateApiKeyDocument, { input: { appId, name: 'free', kind: 'SECRET', mode: 'LIVE', role: 'READ_ONLY' } });
    expect(createApiKey.apiKey).toMatchObject({ credits: null, allowedIps: [], rateLimit: null });
  });

  it('may revoke itself', async () => {
    const key = await controlledAdmin();
    const { revokeApiKey } = await (await as(key.secret)).ok(RevokeApiKeyDocument, { id: key.id });
    expect(revokeApiKey.status).toBe('REVOKED');
  });
});

describe('a rotation', () => {
  it('hands the controls on, and neither key of the pair may loosen the other (they share one credit balance)', async () => {
    const old = await controlledAdmin();
    const { rotateApiKey } = await server.client(old.secret).ok(RotateApiKeyDocument, { id: old.id, gracePeriodSeconds: 3600 });
    const successor = await server.root.ok(ApiKeyDocument, { id: rotateApiKey.rotation.newKey.id });
    expect(successor.apiKey).toMatchObject({ credits: { remaining: 0 }, rateLimit: CONTROLLED.rateLimit, allowedIps: CONTROLLED.allowedIps });
    await expectRefused(server.client(old.secret), rotateApiKey.rotation.newKey.id, { credits: null });
    await expectRefused(server.client(rotateApiKey.secret), old.id, { allowedIps: [] });
    await expectUnchanged(old.id);
  });
});

describe('a root key', () => {
  it("may change any key's controls", async () => {
    const key = await controlledAdmin();
    const { updateApiKey } = await server.root.ok(UpdateApiKeyDocument, { id: key.id, input: { credits: null, allowedIps: [], rateLimit: null } });
    expect(updateApiKey).toMatchObject({ credits: null, allowedIps: [], rateLimit: null });
  });
});
