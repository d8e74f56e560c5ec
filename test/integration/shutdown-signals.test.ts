import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProcessDatabase, type TrackedProcess, getJson, gql, prepareProcessDatabase, startTracked } from '../helpers/process-harness';
import { BIN, type Launcher } from '../helpers/server-process';

/**
 * A stop is graceful however the server is started and whatever NODE_ENV says (docs/how-it-works.md,
 * "Shutdown": "flushes usage counters … and exits 0"). Apollo's own signal handling is
 * active whenever NODE_ENV is not `test`; it used to re-kill the process (exit 143/130)
 * before the usage counted in the last second was written. Each case starts the built
 * server the way an operator does, counts five verifications, signals at once, and the
 * next process on the same database must see every one of them.
 */

const ROOT = resolve(__dirname, '../..');
const NPM_START: Launcher = { command: 'npm', args: ['start', '--ignore-scripts', '--prefix', ROOT], detached: true };
const KEYGATE_SERVE: Launcher = { command: process.execPath, args: [BIN, 'serve'], detached: true };
// Production refuses plain HTTP unless a trusted proxy says the client used HTTPS.
const BEHIND_TLS_PROXY = { 'x-forwarded-proto': 'https' };
const KEY_USAGE = `query($id: ID!) { apiKey(id: $id) { lastUsedAt usage(granularity: DAY) { verifications } } }`;

let db: ProcessDatabase;
let key: { id: string; secret: string };
const running = new Set<TrackedProcess>();

function environment(nodeEnv: 'unset' | 'production'): NodeJS.ProcessEnv {
  const { NODE_ENV: _test, ...env } = db.env;
  return nodeEnv === 'production' ? { ...env, NODE_ENV: 'production', KEYGATE_TRUST_PROXY: 'true' } : env;
}

async function start(launcher: Launcher, nodeEnv: 'unset' | 'production'): Promise<TrackedProcess> {
  const server = await startTracked(db, environment(nodeEnv), launcher);
  running.add(server);
  void server.exited.then(() => running.delete(server));
  return server;
}

async function verifications(server: TrackedProcess): Promise<{ count: number; lastUsedAt: string | null }> {
  const result = await gql<{ apiKey: { lastUsedAt: string | null; usage: { verifications: number }[] } }>(server.url, db.rootKey, KEY_USAGE, { id: key.id }, BEHIND_TLS_PROXY);
  expect(result.errors, result.text).toBeUndefined();
  return { count: result.data!.apiKey.usage.reduce((n, u) => n + u.verifications, 0), lastUsedAt: result.data!.apiKey.lastUsedAt };
}

beforeAll(async () => {
  db = await prepareProcessDatabase({ KEYGATE_AUTH_FAILURES_PER_IP: '0' });
  const first = await start(KEYGATE_SERVE, 'unset');
  const app = await gql(first.url, db.rootKey, `mutation { createApp(input: { name: "Signals" }) { id } }`);
  const created = await gql(first.url, db.rootKey, `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }`, {
    input: { appId: app.data!.createApp.id, name: 'counted', kind: 'SECRET', mode: 'LIVE', role: 'READ_ONLY' },
  });
  key = { id: created.data!.createApiKey.apiKey.id, secret: created.data!.createApiKey.secret };
  first.child.kill('SIGTERM');
  expect(await first.exited).toMatchObject({ code: 0, signal: null });
}, 90_000);

afterAll(async () => {
  // A failed case may leave a process group behind: npm and the server under it.
  for (const server of running) {
    try {
      process.kill(-server.child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    await server.exited;
  }
  await db?.drop();
});

const cases = [
  { launcher: 'npm start', nodeEnv: 'unset', signal: 'SIGTERM' },
  { launcher: 'npm start', nodeEnv: 'unset', signal: 'SIGINT' },
  { launcher: 'npm start', nodeEnv: 'production', signal: 'SIGTERM' },
  { launcher: 'npm start', nodeEnv: 'production', signal: 'SIGINT' },
  { launcher: 'keygate serve', nodeEnv: 'unset', signal: 'SIGTERM' },
  { launcher: 'keygate serve', nodeEnv: 'unset', signal: 'SIGINT' },
  { launcher: 'keygate serve', nodeEnv: 'production', signal: 'SIGTERM' },
  { launcher: 'keygate serve', nodeEnv: 'production', signal: 'SIGINT' },
] as const;

describe('stopping the built server with a signal', () => {
  let expected = 0;
  it.each(cases)('$launcher, NODE_ENV $nodeEnv, $signal: exits 0 and stores every counted use', async ({ launcher, nodeEnv, signal }) => {
    const server = await start(launcher === 'npm start' ? NPM_START : KEYGATE_SERVE, nodeEnv);
    expect((await verifications(server)).count).toBe(expected);
    const usedFrom = Date.now();
    for (let i = 0; i < 5; i++) {
      const answer = await getJson(`${server.baseUrl}/auth/verify`, key.secret, BEHIND_TLS_PROXY);
      expect(answer.status, answer.text).toBe(200);
    }
    expected += 5;
    // SIGINT as a terminal's Ctrl-C sends it: to the whole process group (npm forwards it
    // to the server as well, so the server gets it twice). SIGTERM as a supervisor sends
    // it: to the process it started.
    if (signal === 'SIGINT') process.kill(-server.child.pid!, 'SIGINT');
    else server.child.kill('SIGTERM');
    expect(await server.exited).toMatchObject({ code: 0, signal: null });
    expect(server.output()).toContain('"msg":"shutting down"');

    const next = await start(KEYGATE_SERVE, 'unset');
    const stored = await verifications(next);
    expect(stored.count).toBe(expected);
    expect(Date.parse(stored.lastUsedAt!)).toBeGreaterThanOrEqual(usedFrom - 5);
    next.child.kill('SIGTERM');
    expect(await next.exited).toMatchObject({ code: 0, signal: null });
  }, 60_000);
});
