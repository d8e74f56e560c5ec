import { openSql } from '../helpers/process-harness';
import { type TestServer, startTestServer } from '../helpers/test-server';
import { hygieneSuite } from '../helpers/hygiene-suite';

/** Log and storage hygiene (test/helpers/hygiene-suite.ts) of the in-process server, its logs captured at debug. */
hygieneSuite('in-process server (logs captured at debug)', async () => {
  const server: TestServer = await startTestServer({ env: { KEYGATE_AUTH_FAILURES_PER_IP: '0' } });
  const sql = await openSql(server.database);
  const admin = await openSql(server.database, { writable: true });
  return {
    url: server.url,
    baseUrl: server.baseUrl,
    rootKey: server.rootKey,
    masterKey: server.keygate.runtime.config.masterKey as string,
    dialect: server.database.config.dialect,
    logLines: () => server.logs,
    sql,
    admin,
    async close() {
      await sql.close();
      await admin.close();
      await server.close();
    },
  };
});
