import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConcurrently, tally } from '../helpers/concurrency';
import { createApp, createKey } from '../helpers/fixtures';
import { GraphQLClient } from '../helpers/graphql-client';
import { type ProcessDatabase, type SqlReader, type TrackedProcess, ensureStopped, gqlOk, openSql, prepareProcessDatabase, startTracked, waitFor } from '../helpers/process-harness';
import { TEST_DIALECT } from '../helpers/test-server';

/**
 * Credit leases with real server processes (docs/operations.md, "Credits: leases"): never
 * more successful uses than credits, across four processes; a SIGKILL loses at most the
 * unspent part of the one lease the process held (never more than 1/16 of the balance it
 * was taken from); a graceful stop loses nothing; and when the balance runs out in one
 * process, the others give their leases back, so no credit is stranded.
 */

/** Leases stay out until returned for a reason under test, never because they went idle. */
const HOLD = { KEYGATE_CREDIT_LEASE_IDLE_MS: '600000' };

let db: ProcessDatabase;
let sql: SqlReader;
let root: GraphQLClient;
let appId: string;
const started: TrackedProcess[] = [];

beforeAll(async () => {
  db = await prepareProcessDatabase();
  sql = await openSql(db);
}, 90_000);

afterAll(async () => {
  await sql?.close();
  await Promise.all(started.map(ensureStopped));
  await db?.drop();
});

async function start(): Promise<TrackedProcess> {
  const server = await startTracked(db, HOLD);
  started.push(server);
  if (!appId) {
    root = new GraphQLClient(server.url, db.rootKey);
    appId = (await createApp(root, 'Leased credits')).id;
  }
  return server;
}

const keyWith = async (server: TrackedProcess, remaining: number) =>
  createKey(new GraphQLClient(server.url, db.rootKey), { appId, mode: 'LIVE', extra: { credits: { remaining } } });

async function verifyOn(server: TrackedProcess, secret: string, attempt = 1): Promise<number> {
  try {
    const response = await fetch(`${server.baseUrl}/auth/verify`, { headers: { authorization: `Bearer ${secret}` }, signal: AbortSignal.timeout(30_000) });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    // On a loaded machine a pooled keep-alive connection can be closed by the server's idle
    // timeout just as a request goes out on it: that request was never read, so it is sent again.
    if (attempt === 1 && (error as { cause?: { code?: string } }).cause?.code === 'UND_ERR_SOCKET') return verifyOn(server, secret, 2);
    throw error;
  }
}

const rowOf = async (keyId: string) =>
  Number((await sql.query(`select b.remaining from credit_balances b join api_keys k on k.credit_balance_id = b.id where k.id = '${keyId}'`))[0].remaining);

/** What a process reads as the balance: the row plus the lease it holds. */
const readOn = async (server: TrackedProcess, keyId: string) =>
  (await gqlOk<{ apiKey: { credits: { remaining: number } } }>(server.url, db.rootKey, `query($id: ID!) { apiKey(id: $id) { credits { remaining } } }`, { id: keyId })).apiKey.credits.remaining;

describe('what stopping a process costs a balance', () => {
  it('SIGKILL loses only the unspent part of its one lease: 1/16 of the balance at most', async () => {
    const victim = await start();
    const key = await keyWith(victim, 1600);
    for (let i = 0; i < 3; i++) expect(await verifyOn(victim, key.secret)).toBe(200);
    victim.child.kill('SIGKILL');
    await victim.exited;
    const lost = 1600 - 3 - (await rowOf(key.id));
    expect(lost).toBe(98); // the lease of 100 (1600 / 16) less the 2 uses it answered
    const next = await start();
    expect(await readOn(next, key.id)).toBe(1499);
    expect(await verifyOn(next, key.secret)).toBe(200);
    expect(await readOn(next, key.id)).toBe(1498);
  }, 120_000);

  it('a graceful stop (SIGTERM) gives the lease back: the balance is exact afterwards', async () => {
    const server = await start();
    const key = await keyWith(server, 1600);
    for (let i = 0; i < 3; i++) expect(await verifyOn(server, key.secret)).toBe(200);
    expect(await rowOf(key.id)).toBe(1499);
    await server.stop();
    expect((await server.exited).code).toBe(0);
    expect(await rowOf(key.id)).toBe(1597);
  }, 120_000);
});

describe.skipIf(TEST_DIALECT !== 'postgresql')('four processes on one PostgreSQL balance', () => {
  let processes: TrackedProcess[];

  beforeAll(async () => {
    // One after another: four starting at once can outlast the start timeout on a busy machine.
    processes = [];
    for (let i = 0; i < 4; i++) processes.push(await start());
  }, 180_000);

  it('when one process runs out, the others give their leases back and it spends them: no credit is stranded', async () => {
    const [a, b] = processes;
    const key = await keyWith(a, 480);
    expect(await verifyOn(a, key.secret)).toBe(200); // a holds 29 of a lease of 30 (480 / 16)
    expect(await readOn(a, key.id)).toBe(479);
    let spentOnB = 0;
    while ((await verifyOn(b, key.secret)) === 200) spentOnB++;
    // b asked for the leases when it came near the end; wait until a's is back in the row.
    expect(await waitFor(async () => (await readOn(a, key.id)) === (await rowOf(key.id)), 30_000)).toBe(true);
    while ((await verifyOn(b, key.secret)) === 200) spentOnB++;
    expect(spentOnB).toBe(479);
    expect(await rowOf(key.id)).toBe(0);
  }, 120_000);

  it('gives exactly 500 successes for 2,000 concurrent verifications spread over four processes', async () => {
    const key = await keyWith(processes[0], 500);
    const statuses = await runConcurrently(2000, 64, (i) => verifyOn(processes[i % 4], key.secret));
    expect(tally(statuses)).toEqual({ 200: 500, 429: 1500 });
    await Promise.all(processes.map((p) => p.stop()));
    expect(await rowOf(key.id)).toBe(0);
  }, 240_000);
});
