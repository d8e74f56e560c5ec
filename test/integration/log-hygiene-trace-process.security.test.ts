import { expect } from 'vitest';
import { type ProcessDatabase, type TrackedProcess, ensureStopped, openSql, prepareProcessDatabase, startTracked } from '../helpers/process-harness';
import { parseLog } from '../helpers/hygiene-secrets';
import { hygieneSuite } from '../helpers/hygiene-suite';

/**
 * Log and storage hygiene (test/helpers/hygiene-suite.ts) of the real server process at
 * LOG_LEVEL=trace, stdout and stderr captured, shutdown included.
 */
hygieneSuite('server process at LOG_LEVEL=trace (stdout and stderr)', async () => {
  const db: ProcessDatabase = await prepareProcessDatabase({ LOG_LEVEL: 'trace', KEYGATE_AUTH_FAILURES_PER_IP: '0' });
  let server: TrackedProcess | undefined;
  try {
    server = await startTracked(db);
    const sql = await openSql(db);
    const admin = await openSql(db, { writable: true });
    const process = server;
    return {
      url: process.url,
      baseUrl: process.baseUrl,
      rootKey: db.rootKey,
      masterKey: db.masterKey,
      dialect: db.dialect,
      logLines: () => process.output().split('\n'),
      sql,
      admin,
      async close() {
        await sql.close();
        await admin.close();
        await process.stop();
        // What it logged while shutting down counts too.
        expect(parseLog(process.output().split('\n')).filter((l) => l.entry === null)).toEqual([]);
        await db.drop();
      },
    };
  } catch (error) {
    await ensureStopped(server);
    await db.drop();
    throw error;
  }
});
