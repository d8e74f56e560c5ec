import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateWebhookEndpointDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { waitFor } from '../helpers/process-harness';
import { type TestServer, startTestServer } from '../helpers/test-server';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver';

/**
 * DESIGN.md "Webhooks": key.credits_low when a key's balance falls below 10 % of its
 * refill amount (or of the balance it was given): once per descent, written with the
 * spend that caused it, naming the key that spent.
 *
 * Because the event is written in the spend's transaction, the outbox is complete once a
 * use has been answered: "no event" is read there, not inferred from a quiet receiver.
 */
let server: TestServer;
let receiver: Receiver;
let appId: string;
let endpointId: string;

beforeAll(async () => {
  server = await startTestServer();
  receiver = await startReceiver();
  appId = (await createApp(server.root, 'Metered')).id;
  const created = await server.root.ok(CreateWebhookEndpointDocument, { input: { appId, mode: 'LIVE', url: receiver.url, events: ['key.credits_low'] } });
  receiver.secret = created.createWebhookEndpoint.secret;
  endpointId = created.createWebhookEndpoint.endpoint.id;
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

const verify = (secret: string, cost = 1) => fetch(`${server.baseUrl}/auth/verify?cost=${cost}`, { headers: { authorization: `Bearer ${secret}` } });
const sql = (query: string, params: unknown[] = []) => server.keygate.runtime.orm.em.fork().getConnection().execute<Record<string, unknown>[]>(query, params);
const lowFor = (keyId: string) => receiver.events('key.credits_low').filter((e) => e.data.key_id === keyId);

/** The key's key.credits_low events in the outbox, as their bodies' data. */
async function writtenFor(keyId: string): Promise<Record<string, unknown>[]> {
  const rows = (await server.keygate.runtime.orm.em.fork().getConnection().execute(`select body from webhook_events where type = 'key.credits_low'`)) as { body: string }[];
  return rows.map((r) => (JSON.parse(r.body) as { data: Record<string, unknown> }).data).filter((d) => d.key_id === keyId);
}

/** Waits until every delivery of the endpoint has been answered by the receiver (none pending). */
async function delivered(): Promise<void> {
  const pending = async () => {
    const [{ n }] = (await server.keygate.runtime.orm.em.fork().getConnection().execute(
      `select count(*) as n from webhook_deliveries where endpoint_id = ? and status <> 'SUCCEEDED'`,
      [endpointId],
    )) as { n: number | string }[];
    return Number(n);
  };
  expect(await waitFor(async () => (await pending()) === 0, 10_000)).toBe(true);
}

describe('key.credits_low', () => {
  it('fires once when a spend takes the balance below 10 % of what it was given, not before and not again', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', extra: { credits: { remaining: 20 } } });
    for (let i = 0; i < 18; i++) expect((await verify(key.secret)).status).toBe(200); // 2 left: not below 2
    expect(await writtenFor(key.id)).toEqual([]);

    expect((await verify(key.secret)).status).toBe(200); // 1 left: below 2
    expect(await writtenFor(key.id)).toHaveLength(1);
    expect(await waitFor(() => lowFor(key.id).length === 1, 10_000)).toBe(true);
    expect(lowFor(key.id)[0].data).toMatchObject({ app_id: appId, mode: 'LIVE', key_id: key.id, remaining: 1, low_below: 2 });

    expect((await verify(key.secret)).status).toBe(200); // 0 left
    expect((await verify(key.secret)).status).toBe(429); // refused: nothing spent
    expect(await writtenFor(key.id)).toHaveLength(1);
    await delivered();
    expect(lowFor(key.id)).toHaveLength(1);
  });

  it('measures a refilling key against its refill amount, and a big spend that jumps the line fires too', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', extra: { credits: { remaining: 50, refill: { interval: 'DAILY', amount: 100 } } } });
    expect((await verify(key.secret, 30)).status).toBe(200); // 20 left: not below 10
    expect((await verify(key.secret, 15)).status).toBe(200); // 5 left: below 10
    expect(await waitFor(() => lowFor(key.id).length === 1, 10_000)).toBe(true);
    expect(lowFor(key.id)[0].data).toMatchObject({ remaining: 5, low_below: 10 });
  });

  it("fires once per balance although a process's returned lease lifts the balance back over the line", async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', extra: { credits: { remaining: 320 } } });
    const row = async () => Number((await sql(`select remaining from credit_balances b join api_keys k on k.credit_balance_id = b.id where k.id = ?`, [key.id]))[0].remaining);
    // The outbox row commits with the spend, so counting it needs no waiting.
    const written = async () => (await sql(`select body from webhook_events where type = 'key.credits_low'`)).filter((e: Record<string, unknown>) => String(e.body).includes(key.id)).length;
    expect((await verify(key.secret, 287)).status).toBe(200); // 33 left, no lease (1/16 of 320 is less than 287)
    expect((await verify(key.secret)).status).toBe(200); // a lease of 2 goes out: the row holds 30, below 32
    expect(await written()).toBe(1);
    expect(await waitFor(async () => (await row()) === 32, 10_000)).toBe(true); // the idle lease came back: over the line again
    expect((await verify(key.secret)).status).toBe(200); // below the line again, by another lease
    expect(await row()).toBeLessThan(32);
    expect(await written()).toBe(1);
  });

  it('is exact under concurrency: 30 parallel uses of a 30-credit key cross the line in one statement only', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', extra: { credits: { remaining: 30 } } });
    const statuses = await Promise.all(Array.from({ length: 30 }, () => verify(key.secret).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(30);
    expect(await writtenFor(key.id)).toHaveLength(1);
    await delivered();
    expect(lowFor(key.id)).toHaveLength(1);
  });
});
