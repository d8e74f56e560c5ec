import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyDocument, UpdateApiKeyDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { type SqlReader, openSql, waitFor } from '../helpers/process-harness';
import { restClient } from '../helpers/rest';
import { type TestServer, startTestServer } from '../helpers/test-server';

/**
 * Credit leases (docs/operations.md, "Credits: leases"): a process takes at most one
 * share of a balance out of its row — never more than 1/16 of it, never more than
 * KEYGATE_CREDIT_LEASE_USES uses — spends it in memory, and gives what is left back when
 * idle and when it stops. What a key reads as its balance counts the lease it holds.
 */

const rowOf = async (sql: SqlReader, keyId: string) =>
  Number((await sql.query(`select b.remaining from credit_balances b join api_keys k on k.credit_balance_id = b.id where k.id = '${keyId}'`))[0].remaining);

async function verify(server: TestServer, secret: string, cost = 1): Promise<{ status: number; remaining: number | undefined }> {
  const response = await restClient(server.baseUrl).call(`/auth/verify?cost=${cost}`, { key: secret });
  const body = (await response.json()) as { credits?: { remaining: number } | null };
  return { status: response.status, remaining: body.credits?.remaining };
}

describe('a lease held while the process runs (idle return out of the way)', () => {
  let server: TestServer;
  let sql: SqlReader;
  let appId: string;
  let stopped = false;

  beforeAll(async () => {
    server = await startTestServer({ env: { KEYGATE_CREDIT_LEASE_IDLE_MS: '600000' } });
    sql = await openSql(server.database);
    appId = (await createApp(server.root, 'Leases')).id;
  });
  afterAll(async () => {
    await sql?.close();
    if (!stopped) await server?.keygate.close();
    await server?.database.drop();
  });

  it('takes 1/16 of the balance with the first use and answers the next uses from it, reporting the row plus the lease', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', extra: { credits: { remaining: 1600 } } });
    expect(await verify(server, key.secret)).toEqual({ status: 200, remaining: 1599 });
    expect(await rowOf(sql, key.id)).toBe(1600 - 1 - 100);
    expect(await verify(server, key.secret)).toEqual({ status: 200, remaining: 1598 });
    expect(await verify(server, key.secret, 7)).toEqual({ status: 200, remaining: 1591 });
    expect(await rowOf(sql, key.id)).toBe(1499);
    expect((await server.root.ok(ApiKeyDocument, { id: key.id })).apiKey?.credits?.remaining).toBe(1591);
  });

  it('takes no more than KEYGATE_CREDIT_LEASE_USES uses (1024 by default) at the cost of the use that takes it', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', extra: { credits: { remaining: 1_000_000 } } });
    expect(await verify(server, key.secret, 2)).toEqual({ status: 200, remaining: 999_998 });
    expect(await rowOf(sql, key.id)).toBe(1_000_000 - 2 - 2048);
  });

  it('drops the lease unreturned when an admin sets the balance: the new balance counts from its own value', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', extra: { credits: { remaining: 1600 } } });
    expect(await verify(server, key.secret)).toEqual({ status: 200, remaining: 1599 });
    await server.root.ok(UpdateApiKeyDocument, { id: key.id, input: { credits: { remaining: 50 } } });
    expect(await verify(server, key.secret)).toEqual({ status: 200, remaining: 49 });
    expect((await server.root.ok(ApiKeyDocument, { id: key.id })).apiKey?.credits?.remaining).toBe(49);
  });

  it('writes every use exactly near the end of a balance (no lease below 16 uses), down to the last credit', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', extra: { credits: { remaining: 15 } } });
    for (let left = 14; left >= 0; left--) {
      expect(await verify(server, key.secret)).toEqual({ status: 200, remaining: left });
      expect(await rowOf(sql, key.id)).toBe(left);
    }
    expect((await verify(server, key.secret)).status).toBe(429);
  });

  it("spends a use that costs more than the lease holds from the lease and the row together", async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', extra: { credits: { remaining: 20 } } });
    expect(await verify(server, key.secret)).toEqual({ status: 200, remaining: 19 }); // lease 1, row 18
    expect(await verify(server, key.secret, 19)).toEqual({ status: 200, remaining: 0 });
    expect(await rowOf(sql, key.id)).toBe(0);
  });

  it('gives the lease back on a graceful stop, so the row is exact afterwards', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', extra: { credits: { remaining: 3200 } } });
    for (let i = 0; i < 5; i++) expect((await verify(server, key.secret)).status).toBe(200);
    expect(await rowOf(sql, key.id)).toBe(3200 - 1 - 200);
    stopped = true;
    await server.keygate.close();
    expect(await rowOf(sql, key.id)).toBe(3195);
  });
});

describe('an idle lease', () => {
  let server: TestServer;
  let sql: SqlReader;

  beforeAll(async () => {
    server = await startTestServer({ env: { KEYGATE_CREDIT_LEASE_IDLE_MS: '20' } });
    sql = await openSql(server.database);
  });
  afterAll(async () => {
    await sql?.close();
    await server?.close();
  });

  it('goes back to the row once unused for KEYGATE_CREDIT_LEASE_IDLE_MS', async () => {
    const appId = (await createApp(server.root, 'Idle')).id;
    const key = await createKey(server.root, { appId, mode: 'LIVE', extra: { credits: { remaining: 1600 } } });
    expect(await verify(server, key.secret)).toEqual({ status: 200, remaining: 1599 });
    expect(await waitFor(async () => (await rowOf(sql, key.id)) === 1599, 10_000)).toBe(true);
    expect((await server.root.ok(ApiKeyDocument, { id: key.id })).apiKey?.credits?.remaining).toBe(1599);
  });
});
