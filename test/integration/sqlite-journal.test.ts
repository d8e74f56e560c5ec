import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECT, type TestServer, startTestServer } from '../helpers/test-server';

/**
 * The embedded default's durability settings (docs/operations.md, "SQLite"): WAL with a full
 * fsync per commit, and a busy timeout for a second process. PostgreSQL has its own, so this
 * suite says so instead of running there.
 */
describe.skipIf(TEST_DIALECT !== 'sqlite')('SQLite journal (skipped on PostgreSQL: SQLite pragmas only)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  async function pragma(name: string): Promise<unknown> {
    const rows = await server.keygate.runtime.orm.em.getConnection().execute(`PRAGMA ${name}`);
    return Object.values(rows[0] as Record<string, unknown>)[0];
  }

  it('runs in WAL mode, so commits append to the -wal file beside the database', async () => {
    expect(await pragma('journal_mode')).toBe('wal');
    await server.root.raw('mutation { createApp(input: { name: "wal" }) { id } }');
    expect(server.database.config.dialect === 'sqlite' && existsSync(`${server.database.config.file}-wal`)).toBe(true);
  });

  it('syncs every commit in full (2 = FULL: no acknowledged write is lost on power loss)', async () => {
    expect(await pragma('synchronous')).toBe(2);
  });

  it('waits up to 5 s for another process to release the write lock instead of failing at once', async () => {
    expect(await pragma('busy_timeout')).toBe(5000);
  });

  it('keeps foreign keys enforced on every connection', async () => {
    expect(await pragma('foreign_keys')).toBe(1);
  });
});
