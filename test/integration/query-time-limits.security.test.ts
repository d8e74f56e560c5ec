import type { EntityManager as SqlEntityManager } from '@mikro-orm/knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, createKey } from '../helpers/fixtures';
import { startTestServer, TEST_DIALECT, type TestServer } from '../helpers/test-server';
import type { Clock } from '../../src/shared/clock';

/**
 * F1, the part the cost estimate cannot see: data that makes an allowed query slow. A
 * request has a time budget, and on PostgreSQL the query pool cancels long statements,
 * so no request holds the database for long.
 */
let server: TestServer;
let appId: string;

/**
 * A clock that moves 20 ms each time it is read: a query's later fields then start past
 * the 200 ms budget whatever the machine's speed, so the test does not depend on timing.
 */
const steppingClock: Clock = {
  now: (() => {
    let t = Date.now();
    return () => new Date((t += 20));
  })(),
};

beforeAll(async () => {
  server = await startTestServer({
    clock: steppingClock,
    env: {
      // Let a huge query through the estimate, so only the budget stands in its way.
      KEYGATE_GRAPHQL_MAX_COST: '100000000',
      KEYGATE_GRAPHQL_HEAVY_COST: '100000000',
      KEYGATE_GRAPHQL_TIME_BUDGET_MS: '200',
      KEYGATE_DB_QUERY_STATEMENT_TIMEOUT_MS: '300',
    },
  });
  appId = (await createApp(server.root, 'Slow data')).id;
  for (let i = 0; i < 40; i++) await createKey(server.root, { appId, mode: 'LIVE', name: `k${i}` });
});
afterAll(() => server?.close());

describe('the per-request time budget', () => {
  it('stops a request past KEYGATE_GRAPHQL_TIME_BUDGET_MS with one TIMEOUT error, and the server goes on', async () => {
    const from = new Date(Date.now() - 730 * 86400_000).toISOString();
    const alias = (i: number) => `a${i}: app(id: "${appId}") { apiKeys(first: 40) { nodes { usage(granularity: DAY, from: "${from}") { start verifications failures } } } }`;
    const result = await server.root.raw(`{ ${Array.from({ length: 15 }, (_, i) => alias(i)).join(' ')} }`);
    expect(result.status).toBe(200);
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'TIMEOUT', limit: 'time' });
    expect((await server.root.raw('{ viewer { type } }')).data).toEqual({ viewer: { type: 'ROOT' } });
  });
});

describe.runIf(TEST_DIALECT === 'postgresql')('the query pool on PostgreSQL', () => {
  it('cancels a statement running past KEYGATE_DB_QUERY_STATEMENT_TIMEOUT_MS (SQLSTATE 57014)', async () => {
    const queries = (server.keygate.runtime.queryOrm.em as SqlEntityManager).getConnection();
    await expect(queries.execute('select pg_sleep(2)')).rejects.toMatchObject({ code: '57014' });
  });

  it('is a pool of its own: verification and mutations keep the main pool, without that timeout', async () => {
    const { orm, queryOrm } = server.keygate.runtime;
    expect(queryOrm).not.toBe(orm);
    await expect((orm.em as SqlEntityManager).getConnection().execute('select pg_sleep(0.5) as slept')).resolves.toHaveLength(1);
  });
});
