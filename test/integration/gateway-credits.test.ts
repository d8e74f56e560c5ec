import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditAccountOf } from '../../src/modules/credits/credit-account';
import { KeyMode } from '../../src/modules/keys/key-enums';
import { ApiKeyDocument, KeyOperationsDocument, UpdateApiKeyDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { type GraphQLUpstream, closedPortUrl, startGraphQLUpstream } from '../helpers/graphql-upstream';
import { type TestServer, startTestServer } from '../helpers/test-server';

/**
 * DESIGN.md "Gateway", cost: an operation's credits are spent before the upstream call.
 * When the upstream provably never received it (no connection could be made), they are
 * given back: the answer is 502 UPSTREAM_UNAVAILABLE and the balance is as it was. When the
 * upstream may have run it (a timeout, a connection lost after the request was sent), the
 * charge stays. Live credentials here go to a port where nothing listens; test-mode ones
 * to a real upstream that can be made slow or made to drop connections.
 */

const SDL = /* GraphQL */ `
  directive @listSize(assumedSize: Int, slicingArguments: [String!]) on FIELD_DEFINITION
  type Query {
    items(first: Int): [Item!]! @listSize(slicingArguments: ["first"])
  }
  type Item {
    id: ID!
  }
`;

let server: TestServer;
let sandbox: GraphQLUpstream;
let appId: string;

beforeAll(async () => {
  sandbox = await startGraphQLUpstream(SDL, { items: ({ first }: { first: number }) => Array.from({ length: first }, (_, i) => ({ id: String(i) })) });
  const schema = join(mkdtempSync(join(tmpdir(), 'keygate-gateway-credits-')), 'schema.graphql');
  writeFileSync(schema, SDL);
  server = await startTestServer({
    env: { KEYGATE_GATEWAY_UPSTREAM: await closedPortUrl(), KEYGATE_GATEWAY_UPSTREAM_TEST: sandbox.url, KEYGATE_GATEWAY_SCHEMA: schema, KEYGATE_GATEWAY_TIMEOUT_MS: '1000' },
  });
  appId = (await createApp(server.root, 'Metered gateway')).id;
});

afterAll(async () => {
  await server?.close();
  await sandbox?.close();
});

/** `query Items { items(first: n) { id } }` through the gateway: costs n. */
async function items(key: string, n: number): Promise<{ status: number; code: unknown }> {
  const response = await fetch(`${server.baseUrl}/gateway/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query: `query Items { items(first: ${n}) { id } }` }),
  });
  const body = (await response.json()) as { errors?: { extensions: { code: unknown } }[] };
  return { status: response.status, code: body.errors?.[0]?.extensions.code };
}

const UNREACHABLE = { status: 502, code: 'UPSTREAM_UNAVAILABLE' };
const remainingOf = async (keyId: string) => (await server.root.ok(ApiKeyDocument, { id: keyId })).apiKey?.credits?.remaining;
const sql = (query: string, params: unknown[]) => server.keygate.runtime.orm.em.fork().getConnection().execute<Record<string, unknown>[]>(query, params);
const balanceIdOf = async (keyId: string) => String((await sql('select credit_balance_id from api_keys where id = ?', [keyId]))[0].credit_balance_id);
const rowOf = async (keyId: string) => Number((await sql('select b.remaining from credit_balances b join api_keys k on k.credit_balance_id = b.id where k.id = ?', [keyId]))[0].remaining);
const lowEventsOf = async (keyId: string) =>
  ((await sql(`select body from webhook_events where type = 'key.credits_low'`, [])) as { body: string }[]).filter((row) => (JSON.parse(row.body) as { data: { key_id: string } }).data.key_id === keyId);

describe('an upstream that refuses the connection', () => {
  it('answers 502 UPSTREAM_UNAVAILABLE and gives the cost back: the balance is as it was, and the use counts as an error that cost nothing', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', extra: { credits: { remaining: 10 } } });
    for (let i = 0; i < 5; i++) expect(await items(key.secret, 3)).toEqual(UNREACHABLE);
    expect(await remainingOf(key.id)).toBe(10);
    expect(await rowOf(key.id)).toBe(10);
    expect((await server.root.ok(KeyOperationsDocument, { id: key.id })).apiKey?.operations).toEqual([{ operationName: 'Items', requests: 5, errors: 5, cost: 0 }]);
  });

  it('gives it back into the row while the process keeps the lease it took', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', extra: { credits: { remaining: 1600 } } });
    expect(await items(key.secret, 3)).toEqual(UNREACHABLE);
    // The use took 3 and a lease of 1/16 of the balance out of the row; the 3 came back.
    expect(await rowOf(key.id)).toBe(1600 - 100);
    expect(await remainingOf(key.id)).toBe(1600);
  });

  it('is exact under concurrency: every credit comes back, and a use is refused only while others hold the balance', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', extra: { credits: { remaining: 20 } } });
    const answers = await Promise.all(Array.from({ length: 12 }, () => items(key.secret, 3)));
    const refused = { status: 429, code: 'RATE_LIMITED' };
    for (const answer of answers) expect([UNREACHABLE, refused]).toContainEqual(answer);
    // Six uses at 3 fit in 20: a seventh can be refused only while six are out.
    expect(answers.filter((a) => a.status === 502).length).toBeGreaterThanOrEqual(6);
    expect(await remainingOf(key.id)).toBe(20);
  });

  it('does not send key.credits_low twice when a refunded balance falls below the line again', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', extra: { credits: { remaining: 10 } } });
    expect(await items(key.secret, 10)).toEqual(UNREACHABLE);
    expect(await lowEventsOf(key.id)).toHaveLength(1);
    expect(await remainingOf(key.id)).toBe(10);
    expect(await items(key.secret, 10)).toEqual(UNREACHABLE);
    expect(await lowEventsOf(key.id)).toHaveLength(1);
    expect(await remainingOf(key.id)).toBe(10);
  });
});

describe('an upstream that may have run the operation', () => {
  it('keeps the charge of a timeout (504) and of a connection lost after the request was sent (502)', async () => {
    const key = await createKey(server.root, { appId, mode: 'TEST', extra: { credits: { remaining: 10 } } });
    sandbox.hold();
    expect(await items(key.secret, 3)).toEqual({ status: 504, code: 'UPSTREAM_TIMEOUT' });
    sandbox.release();
    expect(await remainingOf(key.id)).toBe(7);
    sandbox.drop();
    expect(await items(key.secret, 3)).toEqual(UNREACHABLE);
    sandbox.release();
    expect(await remainingOf(key.id)).toBe(4);
    expect((await server.root.ok(KeyOperationsDocument, { id: key.id })).apiKey?.operations).toEqual([{ operationName: 'Items', requests: 2, errors: 2, cost: 6 }]);
  });
});

describe('a refund after the balance changed', () => {
  it('is void once an admin has set the balance: the credits went with the old balance', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', extra: { credits: { remaining: 1600 } } });
    const { credits } = server.keygate.runtime;
    const account = await creditAccountOf(server.keygate.runtime.orm.em.fork(), await balanceIdOf(key.id));
    const spend = await credits.spend(account!, 5, new Date(), { keyId: key.id, mode: KeyMode.LIVE });
    assert(spend.ok);
    expect(spend.remaining).toBe(1595);
    await server.root.ok(UpdateApiKeyDocument, { id: key.id, input: { credits: { remaining: 50 } } });
    expect(await credits.refund(spend.charge)).toBe(false);
    expect(await remainingOf(key.id)).toBe(50);
  });
});
