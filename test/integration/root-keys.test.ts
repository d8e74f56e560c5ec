import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeygate, type Keygate } from '../../src/app';
import { createLogger } from '../../src/logger';
import { CreateRootKeyDocument, RevokeRootKeyDocument, RootKeysDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { codeOf } from '../helpers/graphql-client';
import { openSql, waitFor } from '../helpers/process-harness';
import { startTestServer, TEST_DIALECT, type TestServer } from '../helpers/test-server';

/**
 * Root keys are listed, created (secret shown once) and revoked over GraphQL by root
 * only; the last working one can never be revoked, not even by two racing requests.
 */

let server: TestServer;
let admin: Awaited<ReturnType<typeof createKey>>;

beforeAll(async () => {
  server = await startTestServer();
  const appId = (await createApp(server.root, 'Root keys app')).id;
  admin = await createKey(server.root, { appId, role: 'ADMIN', mode: 'LIVE' });
});
afterAll(() => server?.close());

const viewerOf = (key: string) => server.client(key).raw<{ viewer: { type: string; keyId: string } }>('{ viewer { type keyId } }');

async function auditRows(targetId: string): Promise<{ action: string; actor_id: string; app_id: unknown; details: string | object }[]> {
  const sql = await openSql(server.database);
  try {
    return (await sql.query(`select action, actor_id, app_id, details from audit_events where target_id = '${targetId}' order by seq`)) as never;
  } finally {
    await sql.close();
  }
}

describe('rootKeys', () => {
  it('lists every root key with its start, never its secret or hash', async () => {
    const { rootKeys } = await server.root.ok(RootKeysDocument);
    expect(rootKeys).toHaveLength(1);
    expect(rootKeys[0]).toMatchObject({ id: expect.stringMatching(/^root_/), name: 'root', revokedAt: null });
    expect(server.rootKey.startsWith(rootKeys[0].start)).toBe(true);
    expect(JSON.stringify(rootKeys)).not.toContain(server.rootKey.slice(rootKeys[0].start.length));
  });

  it('records lastUsedAt when a root key authenticates', async () => {
    await viewerOf(server.rootKey);
    await server.keygate.runtime.usage.flush();
    const { rootKeys } = await server.root.ok(RootKeysDocument);
    expect(rootKeys.find((k) => server.rootKey.startsWith(k.start))!.lastUsedAt).toEqual(expect.any(String));
  });
});

describe('createRootKey', () => {
  it('returns a working rk_ key once, lists it, and audits root_key.create without the secret', async () => {
    const { createRootKey } = await server.root.ok(CreateRootKeyDocument, { name: 'ops laptop' });
    expect(createRootKey.secret).toMatch(/^rk_[0-9A-Za-z]{38,}$/);
    expect(createRootKey.rootKey).toMatchObject({ name: 'ops laptop', revokedAt: null, lastUsedAt: null });
    expect(createRootKey.secret.startsWith(createRootKey.rootKey.start)).toBe(true);
    expect((await viewerOf(createRootKey.secret)).data).toEqual({ viewer: { type: 'ROOT', keyId: createRootKey.rootKey.id } });
    const listed = (await server.root.ok(RootKeysDocument)).rootKeys;
    expect(listed[0]).toEqual(createRootKey.rootKey);
    expect(JSON.stringify(listed)).not.toContain(createRootKey.secret);
    const rows = await auditRows(createRootKey.rootKey.id);
    expect(rows.map((r) => r.action)).toEqual(['root_key.create']);
    expect(JSON.stringify(rows)).not.toContain(createRootKey.secret);
  });

  it('refuses an empty or too long name with BAD_USER_INPUT naming the field', async () => {
    for (const name of ['  ', 'x'.repeat(201)]) {
      const result = await server.root.request(CreateRootKeyDocument, { name });
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    }
  });
});

describe('revokeRootKey', () => {
  it('stops the key at once, even right after it was verified (cached), and audits root_key.revoke', async () => {
    const { createRootKey } = await server.root.ok(CreateRootKeyDocument, { name: 'to revoke' });
    expect((await viewerOf(createRootKey.secret)).status).toBe(200);
    const { revokeRootKey } = await server.root.ok(RevokeRootKeyDocument, { id: createRootKey.rootKey.id });
    expect(revokeRootKey.revokedAt).toEqual(expect.any(String));
    const refused = await viewerOf(createRootKey.secret);
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'KEY_REVOKED' });
    expect((await auditRows(createRootKey.rootKey.id)).map((r) => r.action)).toEqual(['root_key.create', 'root_key.revoke']);
  });

  it('answers CONFLICT for a key already revoked and NOT_FOUND for an unknown id', async () => {
    const { createRootKey } = await server.root.ok(CreateRootKeyDocument, {});
    await server.root.ok(RevokeRootKeyDocument, { id: createRootKey.rootKey.id });
    expect(codeOf(await server.root.request(RevokeRootKeyDocument, { id: createRootKey.rootKey.id }))).toBe('CONFLICT');
    expect(codeOf(await server.root.request(RevokeRootKeyDocument, { id: 'root_doesnotexist' }))).toBe('NOT_FOUND');
  });

  it('is refused with FORBIDDEN for an ADMIN app key, as are rootKeys and createRootKey', async () => {
    const client = server.client(admin.secret);
    const own = (await server.root.ok(RootKeysDocument)).rootKeys[0];
    for (const result of [await client.request(RootKeysDocument), await client.request(CreateRootKeyDocument, {}), await client.request(RevokeRootKeyDocument, { id: own.id })]) {
      expect(result.status).toBe(403);
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'INSUFFICIENT_ROLE' });
    }
  });
});

describe.runIf(TEST_DIALECT === 'postgresql')('revokeRootKey with several processes', () => {
  let second: Keygate;
  afterAll(() => second?.close());

  it('stops the key in another process that had it cached', async () => {
    second = await createKeygate({ ...server.keygate.runtime.config, port: 0 }, { logger: createLogger('silent') });
    const { url } = await second.listen();
    const { createRootKey } = await server.root.ok(CreateRootKeyDocument, { name: 'other process' });
    const viewerThere = () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${createRootKey.secret}` }, body: '{"query":"{ viewer { type } }"}' });
    expect((await viewerThere()).status).toBe(200);
    await server.root.ok(RevokeRootKeyDocument, { id: createRootKey.rootKey.id });
    expect(await waitFor(async () => (await viewerThere()).status === 401, 5_000, 50)).toBe(true);
  });
});

describe('the last working root key', () => {
  // Last in the file: the race may leave another key than the suite's own as the survivor.
  it('is refused with CONFLICT, and of two racing revocations of the last two exactly one wins', async () => {
    // Revoke every working key but the test's own.
    const working = (await server.root.ok(RootKeysDocument)).rootKeys.filter((k) => k.revokedAt === null);
    const own = working.find((k) => server.rootKey.startsWith(k.start))!;
    for (const k of working) if (k.id !== own.id) await server.root.ok(RevokeRootKeyDocument, { id: k.id });
    const last = await server.root.request(RevokeRootKeyDocument, { id: own.id });
    expect(codeOf(last)).toBe('CONFLICT');
    expect(last.errors?.[0].message).toBe('This is the last working root key: create another one before revoking it');

    let current = { id: own.id, secret: server.rootKey };
    for (let round = 0; round < 5; round++) {
      const other = (await server.client(current.secret).ok(CreateRootKeyDocument, { name: `race ${round}` })).createRootKey;
      // Each key revokes the other: if both won, no root key would be left.
      const [byOther, byCurrent] = await Promise.all([
        server.client(other.secret).request(RevokeRootKeyDocument, { id: current.id }),
        server.client(current.secret).request(RevokeRootKeyDocument, { id: other.rootKey.id }),
      ]);
      const outcomes = [byOther, byCurrent].map((r) => (r.errors ? codeOf(r) : 'OK'));
      expect(outcomes.filter((o) => o === 'OK'), JSON.stringify(outcomes)).toHaveLength(1);
      // The loser was refused: CONFLICT (last key), or UNAUTHENTICATED when its own key was revoked first.
      expect(['CONFLICT', 'UNAUTHENTICATED']).toContain(outcomes.find((o) => o !== 'OK'));
      const [{ n }] = await server.keygate.runtime.orm.em.fork().getConnection().execute(`select count(*) as n from root_keys where revoked_at is null`);
      expect(Number(n)).toBe(1);
      if (!byOther.errors) current = { id: other.rootKey.id, secret: other.secret };
    }
  });
});
