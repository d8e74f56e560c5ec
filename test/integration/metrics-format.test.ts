import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, createKey } from '../helpers/fixtures';
import { outsideToolForSuite } from '../helpers/outside-tool';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * /metrics as Prometheus itself judges it: the real `promtool check metrics` (Debian's
 * `prometheus` package, which .ci/run installs), and OpenMetrics when asked for, read by the
 * OpenMetrics parser of the Prometheus Python client (Debian's python3-prometheus-client);
 * promtool's `check metrics` (2.42) reads only the text format, so it judges that one.
 * Where CI must have them, their absence fails.
 */
const PROMTOOL = process.env.KEYGATE_PROMTOOL_PATH ?? '/usr/bin/promtool';
const INSTALLED = existsSync(PROMTOOL);
const MISSING = 'promtool not installed (apt-get install prometheus); .ci/run installs it';

const RUNS = outsideToolForSuite('metrics-format.test.ts', INSTALLED, MISSING);

/** Prometheus's own Accept header when it scrapes (2.x): OpenMetrics first, the text format as a fallback. */
const PROMETHEUS_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

const PYTHON = '/usr/bin/python3';
const PARSER_INSTALLED = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import prometheus_client.openmetrics.parser'], { encoding: 'utf8' }).status === 0;
const PARSER_MISSING = 'the OpenMetrics parser is not installed (apt-get install python3-prometheus-client); .ci/run installs it';
const PARSER_RUNS = outsideToolForSuite('metrics-format.test.ts (OpenMetrics parser)', PARSER_INSTALLED, PARSER_MISSING);

/** Each family the strict OpenMetrics parser read: its type and the names of its samples. */
const PARSE = `
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
print(json.dumps({f.name: [f.type, sorted({s.name for s in f.samples})] for f in text_string_to_metric_families(sys.stdin.read())}))
`;

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

  it('answers the text format, unchanged, after OpenMetrics was asked for (one registry serves both)', async () => {
    await fetch(`${server.baseUrl}/metrics`, { headers: { accept: PROMETHEUS_ACCEPT } });
    const response = await fetch(`${server.baseUrl}/metrics`);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    expect(text).toContain('# TYPE keygate_http_requests_total counter');
    const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`).toBe('');
  });
});

describe.runIf(RUNS && PARSER_RUNS)('GET /metrics in OpenMetrics when asked (Accept: application/openmetrics-text)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    const key = await createKey(server.root, { appId: (await createApp(server.root, 'metrics')).id, role: 'READ_WRITE', mode: 'LIVE' });
    await fetch(`${server.baseUrl}/auth/verify`, { headers: { authorization: `Bearer ${key.secret}` } });
  });
  afterAll(() => server?.close());

  it("answers Prometheus's Accept with OpenMetrics 1.0 that the OpenMetrics parser reads whole", async () => {
    const response = await fetch(`${server.baseUrl}/metrics`, { headers: { accept: PROMETHEUS_ACCEPT } });
    expect(response.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(response.headers.get('vary')).toBe('Accept');
    const text = await response.text();
    expect(text.endsWith('# EOF\n')).toBe(true);
    const parsed = spawnSync(PYTHON, ['-c', PARSE], { input: text, encoding: 'utf8' });
    expect(parsed.stderr).toBe('');
    const families = JSON.parse(parsed.stdout) as Record<string, [string, string[]]>;
    // Counters are named without _total in OpenMetrics; their samples carry it.
    expect(families.keygate_http_requests).toEqual(['counter', ['keygate_http_requests_total']]);
    expect(families.keygate_key_verifications).toEqual(['counter', ['keygate_key_verifications_total']]);
    expect(families.keygate_http_request_duration_seconds?.[0]).toBe('histogram');
  });

  it('keeps the text format for scrapers that do not ask for OpenMetrics', async () => {
    for (const accept of [undefined, 'text/plain', '*/*', 'application/json']) {
      const response = await fetch(`${server.baseUrl}/metrics`, { headers: accept ? { accept } : {} });
      expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(await response.text()).toContain('# TYPE keygate_http_requests_total counter');
    }
  });
});
