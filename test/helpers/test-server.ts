import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createKeygate, type Keygate, type KeygateOptions } from '../../src/app';
import { loadConfig } from '../../src/config';
import type { ScratchDatabase } from '../../src/database/scratch-database';
import { createLogger } from '../../src/logger';
import type { Clock } from '../../src/shared/clock';
import { GraphQLClient } from './graphql-client';
import { createTestDatabase } from './test-database';

/** Which database the integration suites run on: KEYGATE_TEST_DB=sqlite (default) or postgres. */
export const TEST_DIALECT: 'sqlite' | 'postgresql' = ['postgres', 'postgresql'].includes(process.env.KEYGATE_TEST_DB ?? '')
  ? 'postgresql'
  : 'sqlite';

export interface TestServer {
  keygate: Keygate;
  url: string;
  baseUrl: string;
  rootKey: string;
  /** A client authenticated with the root key. */
  root: GraphQLClient;
  client(key?: string, headers?: Record<string, string>): GraphQLClient;
  /** Every log line the server wrote, as text. */
  logs: string[];
  database: ScratchDatabase;
  close(): Promise<void>;
}

export interface TestServerOptions {
  clock?: Clock;
  env?: Record<string, string>;
  /** How webhook hosts resolve (SSRF suites answer for names they make up). */
  webhookResolver?: KeygateOptions['webhookResolver'];
}

/**
 * A real Keygate on a fresh database (a temporary SQLite file, or a new PostgreSQL
 * database copied from a migrated template), listening on an ephemeral loopback port.
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const database = await createTestDatabase();
  const databaseUrl = database.config.dialect === 'sqlite' ? `sqlite:${database.config.file}` : database.config.url;
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: databaseUrl,
    KEYGATE_MASTER_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'debug',
    // Suites fail authentication on purpose many times from 127.0.0.1; the per-IP
    // throttle has its own suite (rate-limits.security.test.ts), which turns it on.
    KEYGATE_AUTH_FAILURES_PER_IP: '0',
    ...options.env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const keygate = await createKeygate(config, { clock: options.clock, logger: createLogger('debug', sink), webhookResolver: options.webhookResolver });
  const rootKey = (await keygate.ensureFirstRootKey()) as string;
  const { url } = await keygate.listen();
  const client = (key?: string, headers?: Record<string, string>) => new GraphQLClient(url, key, headers);
  return {
    keygate,
    url,
    baseUrl: url.replace(/\/graphql$/, ''),
    rootKey,
    root: client(rootKey),
    client,
    logs,
    database,
    async close() {
      await keygate.close();
      await database.drop();
    },
  };
}
