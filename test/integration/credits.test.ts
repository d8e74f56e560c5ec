import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyDocument, CompleteRotationDocument, RotateApiKeyDocument, SessionAccessDocument, UpdateApiKeyDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { reasonOf } from '../helpers/graphql-client';
import { restClient, restError } from '../helpers/rest';
import { runConcurrently, tally } from '../helpers/concurrency';
import { type TestServer, startTestServer } from '../helpers/test-server';

/**
 * DESIGN.md "Key controls", credits: each successful use spends its cost; a balance below
 * the cost is refused with USAGE_EXCEEDED (429; 403 on /auth/forward); spending is exact.
 */
let server: TestServer;
let appId: string;
let rest: ReturnType<typeof restClient>;

beforeAll(async () => {
  server = await startTestServer();
  appId = (await createApp(server.root, 'Credits')).id;
  rest = restClient(server.baseUrl);
});
afterAll(() => server?.close());

const withCredits = (remaining: number, role: 'READ_ONLY' | 'READ_WRITE' = 'READ_WRITE') =>
  createKey(server.root, { appId, mode: 'LIVE', role, extra: { credits: { remaining } } });
const verify = (key: string, query = '') => rest.call(`/auth/verify${query}`, { key });
const creditsIn = async (response: Promise<Response>) => ((await (await response).json()) as { credits: { remaining: number } | null }).credits;
const remainingOf = async (id: string) => (await server.root.ok(ApiKeyDocument, { id })).apiKey?.credits?.remaining;

describe('spending credits on /auth/verify', () => {
  it('spends 1 per use by default and ?cost=N otherwise, then refuses with USAGE_EXCEEDED 429', async () => {
    const key = await withCredits(5);
    expect(await creditsIn(verify(key.secret))).toEqual({ remaining: 4 });
    expect(await creditsIn(verify(key.secret, '?cost=3'))).toEqual({ remaining: 1 });
    const refused = await restError(await verify(key.secret, '?cost=2'), 429);
    expect(refused).toMatchObject({ code: 'usage_exceeded', reason: 'USAGE_EXCEEDED' });
    // A refused use spends nothing: the last credit is still there.
    expect(await creditsIn(verify(key.secret))).toEqual({ remaining: 0 });
    expect((await restError(await verify(key.secret), 429)).reason).toBe('USAGE_EXCEEDED');
    expect(await remainingOf(key.id)).toBe(0);
  });

  it('checks without spending with ?cost=0', async () => {
    const key = await withCredits(2);
    for (let i = 0; i < 3; i++) expect(await creditsIn(verify(key.secret, '?cost=0'))).toEqual({ remaining: 2 });
    expect(await remainingOf(key.id)).toBe(2);
  });

  it.each(['-1', '1001', '1.5', 'abc', ''])('refuses ?cost=%s with 400 invalid_request on cost', async (cost) => {
    const key = await withCredits(10);
    expect(await restError(await verify(key.secret, `?cost=${cost}`), 400)).toMatchObject({ code: 'invalid_request', field: 'cost' });
    expect(await remainingOf(key.id)).toBe(10);
  });

  it('never spends for keys without credits, and reports credits: null', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE' });
    expect(await creditsIn(verify(key.secret, '?cost=1000'))).toBeNull();
  });
});

describe('spending credits on /auth/forward and sessionAccess', () => {
  it('spends the auth URL\'s ?cost= on /auth/forward (default 1) and refuses with 403 there (nginx turns a 429 into a 500)', async () => {
    const key = await withCredits(4);
    expect((await rest.call('/auth/forward?cost=2', { key: key.secret })).status).toBe(200);
    expect((await rest.call('/auth/forward?cost=0', { key: key.secret })).status).toBe(200);
    expect(await restError(await rest.call('/auth/forward?cost=3', { key: key.secret }), 403)).toMatchObject({ code: 'usage_exceeded', reason: 'USAGE_EXCEEDED' });
    expect((await rest.call('/auth/forward', { key: key.secret })).status).toBe(200);
    expect(await remainingOf(key.id)).toBe(1);
  });

  it.each(['-1', '1001', '1.5', 'abc', ''])('refuses ?cost=%s on /auth/forward with 403 invalid_request on cost (nginx passes only 401/403 on)', async (cost) => {
    const key = await withCredits(3);
    expect(await restError(await rest.call(`/auth/forward?cost=${cost}`, { key: key.secret }), 403)).toMatchObject({ code: 'invalid_request', field: 'cost' });
    expect(await remainingOf(key.id)).toBe(3);
  });

  it('spends 1 per minted token (GraphQL and REST), and nothing for management calls', async () => {
    const key = await withCredits(2);
    const client = server.client(key.secret);
    await client.ok(SessionAccessDocument, { input: { userId: 'u' } });
    await client.ok(ApiKeyDocument, { id: key.id }); // reading costs nothing
    expect((await rest.postJson('/session_access', key.secret, { user_id: 'u' })).status).toBe(200);
    const third = await client.request(SessionAccessDocument, { input: { userId: 'u' } });
    expect(third.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'USAGE_EXCEEDED' });
    expect(reasonOf(third)).toBe('USAGE_EXCEEDED');
    expect(await restError(await rest.postJson('/session_access', key.secret, { user_id: 'u' }), 429)).toMatchObject({ code: 'usage_exceeded' });
  });
});

describe('exact spending under concurrency (one process)', () => {
  it('gives exactly 500 successes for 2,000 concurrent verifications of a key with 500 credits, and counts the refusals as failures', async () => {
    const key = await withCredits(500, 'READ_ONLY');
    const statuses = await runConcurrently(2000, 64, async () => {
      const response = await verify(key.secret);
      await response.arrayBuffer();
      return response.status;
    });
    expect(tally(statuses)).toEqual({ 200: 500, 429: 1500 });
    expect(await remainingOf(key.id)).toBe(0);
    await server.keygate.runtime.usage.flush();
    const rows = await server.keygate.runtime.orm.em.fork().getConnection().execute(`select sum(verifications) as ok, sum(failures) as failed from key_usage where key_id = ?`, [key.id]);
    expect(rows.map((r: Record<string, unknown>) => ({ ok: Number(r.ok), failed: Number(r.failed) }))).toEqual([{ ok: 500, failed: 1500 }]);
  });
});

describe('a rotation shares one balance between its two keys', () => {
  it('spends the same credits through the old key (in grace) and the new one, and the survivor keeps the rest', async () => {
    const old = await withCredits(10);
    const rotated = await server.root.ok(RotateApiKeyDocument, { id: old.id, gracePeriodSeconds: 3600 });
    const fresh = rotated.rotateApiKey.secret;
    expect(await creditsIn(verify(old.secret, '?cost=4'))).toEqual({ remaining: 6 });
    expect(await creditsIn(verify(fresh, '?cost=4'))).toEqual({ remaining: 2 });
    expect((await restError(await verify(old.secret, '?cost=3'), 429)).reason).toBe('USAGE_EXCEEDED');
    expect(await remainingOf(old.id)).toBe(2);
    expect(await remainingOf(rotated.rotateApiKey.rotation.newKey.id)).toBe(2);
    await server.root.ok(CompleteRotationDocument, { id: rotated.rotateApiKey.rotation.id });
    expect(await creditsIn(verify(fresh, '?cost=2'))).toEqual({ remaining: 0 });
  });

  it('sets the shared balance for both keys when either is updated, and removes it from both', async () => {
    const old = await withCredits(1);
    const rotated = await server.root.ok(RotateApiKeyDocument, { id: old.id, gracePeriodSeconds: 3600 });
    const newId = rotated.rotateApiKey.rotation.newKey.id;
    await verify(old.secret); // warm the old key's cache entry
    await server.root.ok(UpdateApiKeyDocument, { id: newId, input: { credits: { remaining: 50 } } });
    expect(await creditsIn(verify(old.secret))).toEqual({ remaining: 49 });
    await server.root.ok(UpdateApiKeyDocument, { id: old.id, input: { credits: null } });
    expect(await creditsIn(verify(rotated.rotateApiKey.secret))).toBeNull();
    expect(await creditsIn(verify(old.secret))).toBeNull();
  });
});
