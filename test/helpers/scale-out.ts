import { expect } from 'vitest';
import { waitFor } from './process-harness';
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

export async function verifyStatus(baseUrl: string, key: string): Promise<number> {
  const response = await fetch(`${baseUrl}/auth/verify`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(30_000) });
  await response.arrayBuffer();
  return response.status;
}

/** Waits until the process at `baseUrl` answers `status` for the key; fails the test if it never does. */
export async function untilVerifyStatus(baseUrl: string, key: string, status: number): Promise<void> {
  const reached = await waitFor(async () => (await verifyStatus(baseUrl, key)) === status, PROPAGATION_LIMIT_MS);
  expect(reached, `${baseUrl} never answered ${status} for the key: the change did not reach it`).toBe(true);
}

/** Verifies twice, so the key is surely in that process's cache. */
export async function warm(baseUrl: string, key: string): Promise<void> {
  expect(await verifyStatus(baseUrl, key)).toBe(200);
  expect(await verifyStatus(baseUrl, key)).toBe(200);
}
