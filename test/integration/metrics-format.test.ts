import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, createKey } from '../helpers/fixtures';
import { outsideToolForSuite } from '../helpers/outside-tool';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * /metrics as Prometheus itself judges it: the real `promtool check metrics` (Debian's
 * `prometheus` package, which .ci/run installs). Where CI must have it, its absence fails.
 */
const PROMTOOL = process.env.KEYGATE_PROMTOOL_PATH ?? '/usr/bin/promtool';
const INSTALLED = existsSync(PROMTOOL);
const MISSING = 'promtool not installed (apt-get install prometheus); .ci/run installs it';

const RUNS = outsideToolForSuite('metrics-format.test.ts', INSTALLED, MISSING);

describe.runIf(RUNS)('GET /metrics passes promtool check metrics', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    const key = await createKey(server.root, { appId: (await createApp(server.root, 'metrics')).id, role: 'READ_WRITE', mode: 'LIVE' });
    // Fill the labelled series: a good verification, a refused one, a minted token.
    await fetch(`${server.baseUrl}/auth/verify`, { headers: { authorization: `Bearer ${key.secret}` } });
    await fetch(`${server.baseUrl}/auth/verify`, { headers: { authorization: 'Bearer sk_live_nonsense' } });
  });
  afterAll(() => server?.close());

  it('has no lint problem: counters end in _total, gauges do not, every metric has HELP and TYPE', async () => {
    const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
    const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.status).toBe(0);
  });
});
