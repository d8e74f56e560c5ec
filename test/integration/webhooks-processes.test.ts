import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type ProcessDatabase, type TrackedProcess, ensureStopped, gqlOk, openSql, prepareProcessDatabase, startTracked, waitFor } from '../helpers/process-harness';
import { TEST_DIALECT } from '../helpers/test-server';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver';

/**
 * Webhooks across real server processes (`node dist/main.js`): the outbox row commits
 * with the change, so SIGKILL right after a revocation commits loses no event; and two
 * processes on one PostgreSQL make each attempt exactly once between them.
 */

const CREATE_APP = 'mutation($n: String!) { createApp(input: { name: $n }) { id } }';
const CREATE_ENDPOINT = 'mutation($a: ID!, $u: String!) { createWebhookEndpoint(input: { appId: $a, mode: LIVE, url: $u }) { secret endpoint { id } } }';
const CREATE_KEY = 'mutation($a: ID!, $n: String!) { createApiKey(input: { appId: $a, name: $n, kind: SECRET, role: READ_ONLY, mode: LIVE }) { apiKey { id } } }';

let db: ProcessDatabase | undefined;
const processes: TrackedProcess[] = [];
const receivers: Receiver[] = [];

afterEach(async () => {
  await Promise.all(processes.splice(0).map(ensureStopped));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await db?.drop();
  db = undefined;
});
afterAll(async () => {
  await db?.drop();
});

async function setUp(env: NodeJS.ProcessEnv, respond?: Parameters<typeof startReceiver>[0]) {
  db = await prepareProcessDatabase(env);
  const receiver = await startReceiver(respond);
  receivers.push(receiver);
  const first = await startTracked(db);
  processes.push(first);
  const appId = (await gqlOk(first.url, db.rootKey, CREATE_APP, { n: 'Process app' })).createApp.id as string;
  const created = await gqlOk(first.url, db.rootKey, CREATE_ENDPOINT, { a: appId, u: receiver.url });
  receiver.secret = created.createWebhookEndpoint.secret;
  return { db, receiver, first, appId };
}

describe('a crash right after a revocation commits', () => {
  it('loses no event: key.revoked is delivered by the next process on the same database', { timeout: 90_000 }, async () => {
    // The receiver is failing when the crash comes, so the event cannot have been delivered before it.
    let up = false;
    const { db, receiver, first, appId } = await setUp({ KEYGATE_WEBHOOK_RETRY_SCHEDULE: '0,1,1,1,1,1,1,1,1,1,1,1,1,1,1' }, () => (up ? 200 : 503));
    const keyId = (await gqlOk(first.url, db.rootKey, CREATE_KEY, { a: appId, n: 'doomed' })).createApiKey.apiKey.id as string;
    await gqlOk(first.url, db.rootKey, 'mutation($id: ID!) { revokeApiKey(id: $id, reason: "crash test") { id } }', { id: keyId });
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(receiver.events('key.revoked')).toHaveLength(0);

    up = true;
    processes.push(await startTracked(db));
    // If the kill came mid-attempt, that attempt's lease (30 s) must run out first.
    expect(await waitFor(() => receiver.events('key.revoked').length > 0, 60_000)).toBe(true);
    expect(receiver.events('key.revoked')[0].data).toMatchObject({ key_id: keyId, reason: 'crash test' });
  });
});

describe('graceful shutdown (SIGTERM) with an attempt in flight', () => {
  const SEND_TEST = 'mutation($id: ID!) { sendTestWebhook(id: $id) { id } }';
  const ENDPOINT_ID = 'query($a: ID!) { webhookEndpoints(appId: $a) { nodes { id } } }';

  async function inFlight(respond: Parameters<typeof startReceiver>[0]) {
    const { db, receiver, first, appId } = await setUp({}, respond);
    const endpointId = (await gqlOk(first.url, db.rootKey, ENDPOINT_ID, { a: appId })).webhookEndpoints.nodes[0].id as string;
    const deliveryId = (await gqlOk(first.url, db.rootKey, SEND_TEST, { id: endpointId })).sendTestWebhook.id as string;
    expect(await waitFor(() => receiver.received.length === 1, 10_000)).toBe(true);
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    const sql = await openSql(db);
    const [row] = await sql.query(`select status, attempts, locked_by, response_status from webhook_deliveries where id = '${deliveryId}'`);
    await sql.close();
    return { db, receiver, row };
  }

  it('lets an attempt that answers within the grace finish and records it', async () => {
    const { row } = await inFlight(() => new Promise((resolve) => setTimeout(() => resolve(200), 1_000)));
    expect(row).toMatchObject({ status: 'SUCCEEDED', attempts: 1, locked_by: null, response_status: 200 });
  });

  it('hands back an attempt still waiting after the grace: uncounted, unlocked, and sent by the next process', async () => {
    let hang = true;
    const { db, receiver, row } = await inFlight(() => (hang ? new Promise<number>(() => undefined) : 200));
    expect(row).toMatchObject({ status: 'PENDING', attempts: 0, locked_by: null });
    hang = false;
    processes.push(await startTracked(db));
    expect(await waitFor(() => receiver.events('webhook.test').length === 2, 15_000)).toBe(true);
  });
});

describe.skipIf(TEST_DIALECT !== 'postgresql')('two processes on one PostgreSQL', () => {
  it('deliver each event exactly once between them', async () => {
    const { db, receiver, first, appId } = await setUp({});
    const second = await startTracked(db);
    processes.push(second);
    const EVENTS = 40;
    // Alternate between the processes so both have deliveries to claim (and each other's to skip).
    await Promise.all(
      Array.from({ length: EVENTS }, (_, i) => gqlOk((i % 2 ? second : first).url, db.rootKey, CREATE_KEY, { a: appId, n: `key ${i}` })),
    );
    expect(await waitFor(() => receiver.events('key.created').length >= EVENTS, 30_000)).toBe(true);
    // Every delivery succeeded, so any second attempt at one would be a duplicate: there is none.
    const ids = receiver.received.map((r) => r.headers['webhook-id']);
    expect(receiver.received.every((r) => r.verified !== null)).toBe(true);
    expect(new Set(ids).size).toBe(EVENTS);
    expect(ids).toHaveLength(EVENTS);
  });
});
