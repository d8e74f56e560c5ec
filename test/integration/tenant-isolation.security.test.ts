import type { EntityManager as SqlEntityManager } from '@mikro-orm/knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, createKey } from '../helpers/fixtures';
import { codeOf } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * Finding F1 of the security review: one READ_ONLY key of app A could make a single
 * request that ran for a minute, drained the connection pool and stalled every other
 * tenant. These specify the fix: the cost estimate sees every list, per-node lookups are
 * batched, and what is left of a heavy read cannot take the capacity others need.
 */
const DAYS_730_AGO = new Date(Date.now() - 730 * 86400_000).toISOString();
const HEAVIEST_ALLOWED = `query($from: DateTime) { app(id: "APP") { apiKeys(first: 6) { nodes { id usage(granularity: DAY, from: $from) { start verifications } } } } }`;

let server: TestServer;
let a: { appId: string; reader: string };
let b: { appId: string; keys: string[] };

beforeAll(async () => {
  server = await startTestServer({
    env: {
      // Statements are counted while a request runs: keep background reads out of that window.
      // Credentials stay cached for the file (no lookup on a slow machine's expired entry), and
      // the timed-events scan waits an hour; the dispatcher's polls are filtered out below.
      KEYGATE_KEY_CACHE_TTL_SECONDS: '3600',
      KEYGATE_WEBHOOK_SCAN_SECONDS: '3600',
    },
  });
  const appA = await createApp(server.root, 'Tenant A');
  const reader = await createKey(server.root, { appId: appA.id, role: 'READ_ONLY', mode: 'LIVE' });
  for (let i = 0; i < 12; i++) {
    const old = await createKey(server.root, { appId: appA.id, role: 'READ_ONLY', mode: 'LIVE', name: `a${i}` });
    if (i < 6) await server.root.ok((await import('../generated/graphql')).RotateApiKeyDocument, { id: old.id, gracePeriodSeconds: 3600 });
  }
  const appB = await createApp(server.root, 'Tenant B');
  const keys: string[] = [];
  for (let i = 0; i < 40; i++) keys.push((await createKey(server.root, { appId: appB.id, role: 'ADMIN', mode: 'LIVE', name: `b${i}` })).secret);
  a = { appId: appA.id, reader: reader.secret };
  b = { appId: appB.id, keys };
});
afterAll(() => server?.close());

/**
 * The reads the server sends while `work` runs (both pools). Writes are left out: the
 * usage recorder flushes on its own timer, whatever the request does; so are the webhook
 * dispatcher's polls of its outbox.
 */
async function statementsDuring(work: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const listen = (q: { sql: string }) => void (/^\s*select/i.test(q.sql) && !/webhook_/i.test(q.sql) && seen.push(q.sql));
  const knexes = [...new Set([server.keygate.runtime.orm, server.keygate.runtime.queryOrm])].map((orm) => (orm.em as SqlEntityManager).getConnection().getKnex());
  for (const knex of knexes) knex.on('query', listen);
  try {
    await work();
  } finally {
    for (const knex of knexes) knex.off('query', listen);
  }
  return seen;
}

/** Verifies each of B's keys, not yet in the cache, so each one reads the database. */
async function verifyEach(keys: string[]): Promise<number[]> {
  const statuses: number[] = [];
  for (const key of keys) {
    const res = await fetch(`${server.baseUrl}/auth/verify`, { headers: { authorization: `Bearer ${key}` } });
    await res.arrayBuffer();
    statuses.push(res.status);
  }
  return statuses;
}

describe('the cost estimate sees every list', () => {
  it("refuses the probe's query (15 aliases of rotations with two years of daily usage per key) before it runs", async () => {
    const keyUsage = `{ id usage(granularity: DAY, from: "${DAYS_730_AGO}") { start } }`;
    const alias = (i: number) => `r${i}: rotations(appId: "${a.appId}") { nodes { oldKey ${keyUsage} newKey ${keyUsage} } }`;
    const probe = `{ ${Array.from({ length: 15 }, (_, i) => alias(i)).join(' ')} }`;
    const statements = await statementsDuring(async () => {
      const result = await server.client(a.reader).raw(probe);
      expect(result.status).toBe(400);
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'cost' });
    });
    // The credential lookup is cached from the fixtures' requests: nothing of the query ran.
    expect(statements.filter((s) => /from .?(rotations|key_usage)/i.test(s))).toEqual([]);
  });

  it('refuses nine aliases of a 100-key page with usage (nested lists multiply)', async () => {
    const probe = `{ ${Array.from({ length: 9 }, (_, i) => `k${i}: app(id: "${a.appId}") { apiKeys(first: 100) { nodes { usage(granularity: DAY) { start } } } }`).join(' ')} }`;
    const result = await server.client(a.reader).raw(probe);
    expect(result.status).toBe(400);
    expect(result.errors?.[0].extensions?.limit).toBe('cost');
  });

  it('charges usage by the buckets its range implies: a day of hours is cheap, two years of days is not', async () => {
    const page = (range: string) => `{ app(id: "${a.appId}") { apiKeys(first: 100) { nodes { usage(${range}) { start } } } } }`;
    expect((await server.client(a.reader).raw(page('granularity: HOUR'))).status).toBe(200);
    const refused = await server.client(a.reader).raw(page(`granularity: DAY, from: "${DAYS_730_AGO}"`));
    expect(refused.errors?.[0].extensions?.limit).toBe('cost');
  });
});

describe('per-node lookups are batched per request', () => {
  it("a page of rotations with both keys, their apps, links and usage costs a handful of queries, not one per node", async () => {
    const query = `{ rotations(appId: "${a.appId}", first: 20) { totalCount nodes { id app { id } oldKey { id app { name } rotatedTo { id } usage { verifications } } newKey { id rotatedFrom { id } usage { verifications } } } } }`;
    let rotations = 0;
    const statements = await statementsDuring(async () => {
      const result = await server.client(a.reader).raw<{ rotations: { nodes: unknown[] } }>(query);
      expect(result.errors).toBeUndefined();
      rotations = result.data!.rotations.nodes.length;
    });
    expect(rotations).toBe(6);
    // rotations + count, keys, apps, rotatedTo, rotatedFrom, usage: one statement each.
    expect(statements.length, statements.join('\n')).toBeLessThanOrEqual(8);
  });

  it('a page of 100 keys with their app and usage is one query per field, whatever the page size', async () => {
    const statements = await statementsDuring(async () => {
      const result = await server.root.raw(`{ app(id: "${b.appId}") { apiKeys(first: 40) { nodes { id app { id } usage { verifications } } } } }`);
      expect(result.errors).toBeUndefined();
    });
    expect(statements.length, statements.join('\n')).toBeLessThanOrEqual(5);
  });
});

describe("a heavy read of one tenant leaves the others' capacity alone", () => {
  // How much slower B gets is a measurement, not a pass/fail here: bench figure 8 prints it.
  // A drained pool or a stalled event loop would hold B's requests past the test's timeout.
  it("B's verifications (each a database read) and B's mutations are answered while A runs the heaviest queries it may", async () => {
    let running = true;
    let underWay!: () => void;
    const firstHeavyAnswered = new Promise<void>((resolve) => (underWay = resolve));
    const heavy = HEAVIEST_ALLOWED.replace('APP', a.appId);
    const load = Array.from({ length: 6 }, async () => {
      let ran = 0;
      while (running) {
        const result = await server.client(a.reader).raw(heavy, { from: DAYS_730_AGO });
        expect(result.errors).toBeUndefined();
        ran += 1;
        underWay();
      }
      return ran;
    });
    // Each of A's six loops always has a query outstanding; once one has been answered, the load is running.
    await firstHeavyAnswered;
    const during = await verifyEach(b.keys.slice(0, 40));
    const created = await server.client(b.keys[0]).raw(
      `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { id } } }`,
      { i: { appId: b.appId, name: 'during A', kind: 'SECRET', mode: 'LIVE', role: 'READ_ONLY' } },
    );
    running = false;
    const heavyRuns = (await Promise.all(load)).reduce((x, y) => x + y, 0);

    expect(during).toEqual(b.keys.map(() => 200));
    expect(codeOf(created)).toBeUndefined();
    expect(heavyRuns).toBeGreaterThan(0);
  });
});
