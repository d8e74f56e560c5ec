import { afterAll, beforeAll, expect } from 'vitest';
import { createApp } from './fixtures';
import { GraphQLClient } from './graphql-client';
import { type ProcessDatabase, type TrackedProcess, ensureStopped, prepareProcessDatabase, startTracked, waitFor } from './process-harness';
import { TEST_DIALECT } from './test-server';

/**
 * Suites with several Keygate processes on one database. Only PostgreSQL can be shared
 * that way (LISTEN/NOTIFY carries changes between the processes); SQLite is one process,
 * so there such a suite is skipped, and its name says why.
 */
export const SCALE_OUT_SKIPPED = TEST_DIALECT !== 'postgresql';

export function scaleOutSuite(name: string): string {
  return SCALE_OUT_SKIPPED ? `${name} (skipped: several processes share one database only on PostgreSQL; run with KEYGATE_TEST_DB=postgres)` : name;
}

/**
 * The processes cache verified keys for an hour (the most the config allows): a change then
 * reaches another process's cache through its notification or not at all within a test, so
 * waiting for it to show cannot be satisfied by an entry merely expiring.
 */
export const LONG_KEY_CACHE_ENV = { KEYGATE_KEY_CACHE_TTL_SECONDS: '3600' };

/**
 * How long a test waits for a change to show on another process: far below the cache's hour,
 * far above the milliseconds it takes (bench figure 5 measures those).
 */
const PROPAGATION_LIMIT_MS = 15_000;

export interface TwoProcessSuite {
  /** The fields below are set once the suite's beforeAll has run. */
  db: ProcessDatabase;
  a: TrackedProcess;
  b: TrackedProcess;
  /** The root key's client on process A. */
  root: GraphQLClient;
  /** An app created through A. */
  appId: string;
}

/**
 * The setup every scale-out suite shares: one PostgreSQL database with keys cached for an
 * hour (LONG_KEY_CACHE_ENV), two compiled Keygate processes on it, the root client on A
 * and one app of `appName`; all stopped and dropped after the suite. Call at the top of the
 * describe; its own beforeAll hooks run after this one.
 */
export function twoProcessSuite(appName: string): TwoProcessSuite {
  const suite = {} as TwoProcessSuite;
  beforeAll(async () => {
    suite.db = await prepareProcessDatabase(LONG_KEY_CACHE_ENV);
    [suite.a, suite.b] = await Promise.all([startTracked(suite.db), startTracked(suite.db)]);
    suite.root = new GraphQLClient(suite.a.url, suite.db.rootKey);
    suite.appId = (await createApp(suite.root, appName)).id;
  }, 90_000);
  afterAll(async () => {
    await Promise.all([ensureStopped(suite.a), ensureStopped(suite.b)]);
    await suite.db?.drop();
  });
  return suite;
}

/** The status the process at `baseUrl` answers for the key at `path` (an /auth/* endpoint). */
export async function authStatus(baseUrl: string, key: string, path = '/auth/verify'): Promise<number> {
  const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(30_000) });
  await response.arrayBuffer();
  return response.status;
}

export function verifyStatus(baseUrl: string, key: string): Promise<number> {
  return authStatus(baseUrl, key);
}

/** Waits until the process at `baseUrl` answers `status` for the key at `path`; fails the test if it never does. */
export async function untilAuthStatus(baseUrl: string, key: string, status: number, path = '/auth/verify'): Promise<void> {
  const reached = await waitFor(async () => (await authStatus(baseUrl, key, path)) === status, PROPAGATION_LIMIT_MS);
  expect(reached, `${baseUrl} never answered ${status} at ${path} for the key: the change did not reach it`).toBe(true);
}

export function untilVerifyStatus(baseUrl: string, key: string, status: number): Promise<void> {
  return untilAuthStatus(baseUrl, key, status);
}

/** Verifies twice, so the key is surely in that process's cache. */
export async function warm(baseUrl: string, key: string): Promise<void> {
  expect(await verifyStatus(baseUrl, key)).toBe(200);
  expect(await verifyStatus(baseUrl, key)).toBe(200);
}
