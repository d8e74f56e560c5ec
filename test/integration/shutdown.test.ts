import { existsSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ProcessDatabase,
  type TrackedProcess,
  allAuditEvents,
  ensureStopped,
  getJson,
  gqlOk,
  openSql,
  prepareProcessDatabase,
  startTracked,
  waitFor,
} from '../helpers/process-harness';
import { type HttpAnswer, type SlowRequest, requestOnce, slowGet, slowPost, tryConnect } from '../helpers/slow-http';

/**
 * Graceful shutdown of the real server process (docs/guide.md "Reviewing usage": "A graceful
 * stop writes what is left"). On SIGTERM the process stops accepting connections,
 * lets every request it has begun reading finish with a complete, successful response,
 * writes the usage counts still in memory (including those of the requests that
 * finished after the signal), closes the database and exits 0 — within 10 s.
 * A second process on the same database then finds everything: the keys the in-flight
 * mutations acknowledged, their audit events, and the exact usage counts.
 */

const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id name kind mode } } }`;
const KEY_USAGE = `query($id: ID!) { apiKey(id: $id) { id status lastUsedAt usage(granularity: DAY) { start verifications failures tokensIssued } } }`;

interface Usage {
  verifications: number;
  failures: number;
  tokensIssued: number;
}

let db: ProcessDatabase;
let a: TrackedProcess | undefined;
let b: TrackedProcess | undefined;
let c: TrackedProcess | undefined;

beforeAll(async () => {
  // Auth-failure rate limiting per IP is not under test here; keep it out of the counts.
  db = await prepareProcessDatabase({ KEYGATE_AUTH_FAILURES_PER_IP: '0' });
}, 60_000);

afterAll(async () => {
  await ensureStopped(a);
  await ensureStopped(b);
  await ensureStopped(c);
  await db?.drop();
});

function createKeyBody(appId: string, name: string): string {
  return JSON.stringify({ query: CREATE_KEY, variables: { input: { appId, name, kind: 'SECRET', mode: 'TEST', role: 'READ_ONLY' } } });
}

async function keyUsage(url: string, rootKey: string, id: string): Promise<Usage & { lastUsedAt: string | null; status: string }> {
  const data = await gqlOk<{ apiKey: { status: string; lastUsedAt: string | null; usage: Usage[] } }>(url, rootKey, KEY_USAGE, { id });
  const sum = (f: keyof Usage) => data.apiKey.usage.reduce((n, u) => n + u[f], 0);
  return { verifications: sum('verifications'), failures: sum('failures'), tokensIssued: sum('tokensIssued'), lastUsedAt: data.apiKey.lastUsedAt, status: data.apiKey.status };
}

describe('SIGTERM with requests in flight', () => {
  it('refuses new connections, completes in-flight requests, flushes usage, closes the database and exits 0 within 10 s', async () => {
    a = await startTracked(db);
    const root = db.rootKey;
    const app = (await gqlOk(a.url, root, `mutation { createApp(input: { name: "Shutdown app", allowedOrigins: ["https://shop.example"] }) { id } }`)).createApp as { id: string };
    const newKey = async (input: Record<string, unknown>) =>
      (await gqlOk(a!.url, root, CREATE_KEY, { input: { appId: app.id, mode: 'TEST', ...input } })).createApiKey as { secret: string; apiKey: { id: string } };
    const usageKey = await newKey({ name: 'usage', kind: 'SECRET', role: 'READ_WRITE' });
    const burstKey = await newKey({ name: 'burst', kind: 'SECRET', role: 'READ_ONLY' });
    const web = await newKey({ name: 'web', kind: 'PUBLISHABLE', allowedOrigins: ['https://shop.example'] });
    const revoked = await newKey({ name: 'revoked', kind: 'SECRET', role: 'READ_ONLY' });
    const lateFailure = await newKey({ name: 'late failure', kind: 'SECRET', role: 'READ_ONLY' });
    for (const key of [revoked, lateFailure]) await gqlOk(a.url, root, `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: key.apiKey.id });
    const base = a.baseUrl;
    const mint = () =>
      fetch(`${base}/session_access`, {
        method: 'POST',
        headers: { authorization: `Bearer ${usageKey.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: 'user-1', token_lifetime: 600 }),
      }).then(async (r) => ({ status: r.status, body: await r.json() }));

    // Usage in the last second before the signal (the periodic flush may or may not have run).
    for (let i = 0; i < 10; i++) expect((await getJson(`${base}/auth/verify`, usageKey.secret)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await mint()).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await getJson(`${base}/auth/verify`, web.secret, { origin: 'https://evil.example' })).status).toBe(403);
    for (let i = 0; i < 2; i++) expect((await getJson(`${base}/auth/verify`, revoked.secret)).status).toBe(401);

    // An idle keep-alive connection (one finished request on it) must not hold the shutdown up.
    const idle = await slowGet(a.port, '/healthz', root);
    expect((await idle.finish()).status).toBe(200);
    const idleClosed = new Promise<void>((r) => idle.socket.once('close', () => r()));

    // Requests the server has begun reading: bodies (or headers) half sent.
    const slow: { kind: 'create' | 'verify' | 'mint' | 'refused'; request: SlowRequest }[] = [];
    for (let i = 0; i < 4; i++) slow.push({ kind: 'create', request: await slowPost(a.port, '/graphql', root, createKeyBody(app.id, `in flight ${i}`)) });
    for (let i = 0; i < 4; i++) slow.push({ kind: 'verify', request: await slowGet(a.port, '/auth/verify', usageKey.secret) });
    for (let i = 0; i < 2; i++) {
      slow.push({ kind: 'mint', request: await slowPost(a.port, '/session_access', usageKey.secret, JSON.stringify({ user_id: `user-${i}`, token_lifetime: 600 })) });
    }
    // A failed use of a real key, in flight: its usage count and its auth.failure audit event are written too.
    slow.push({ kind: 'refused', request: await slowGet(a.port, '/auth/verify', lateFailure.secret) });
    // One full round trip on a connection opened after theirs: the server accepts
    // connections in order and reads every socket that is ready before it waits again, so
    // by the time it has answered this one it has begun reading the slow requests.
    expect((await requestOnce(`${base}/healthz`)).status).toBe(200);

    // A burst of ordinary requests, each on its own connection, started just before the
    // signal: each either completes successfully or never got to the server (connection
    // refused, or reset before the server began reading it) — never an error or a
    // truncated response.
    const burst = Array.from({ length: 16 }, (_, i) => {
      const request =
        i % 2 === 0
          ? requestOnce(a!.url, { key: root, body: createKeyBody(app.id, `burst ${i}`) })
          : requestOnce(`${base}/auth/verify`, { key: burstKey.secret });
      return request.then(
        (response) => ({ kind: i % 2 === 0 ? ('create' as const) : ('verify' as const), ok: true as const, response }),
        (error: NodeJS.ErrnoException) => ({ kind: i % 2 === 0 ? ('create' as const) : ('verify' as const), ok: false as const, error }),
      );
    });

    // Signal once the first of them has been answered: the rest are on their way.
    await Promise.race(burst);
    const signalledAt = Date.now();
    const signalledPerf = performance.now();
    a.child.kill('SIGTERM');
    expect(await waitFor(() => a!.output().includes('shutting down'), 5_000)).toBe(true);

    // No new connections once shutting down (the in-flight ones are still open).
    expect(await tryConnect(a.port)).toBe('ECONNREFUSED');

    // The in-flight requests complete, successfully.
    // All at once: the server cuts what is still open 5 s after the signal.
    const responses: HttpAnswer[] = await Promise.all(slow.map(({ request }) => request.finish()));
    for (const [i, response] of responses.entries()) {
      const { kind } = slow[i];
      const body = JSON.parse(response.body);
      if (kind === 'refused') {
        expect(response.status, response.body).toBe(401);
        expect(body.error).toMatchObject({ code: 'authentication_failed', reason: 'KEY_REVOKED' });
        continue;
      }
      expect(response.status, `${kind}: ${response.body}`).toBe(200);
      if (kind === 'create') {
        expect(body.errors).toBeUndefined();
        expect(body.data.createApiKey.secret).toMatch(/^sk_test_/);
      } else if (kind === 'verify') expect(body).toMatchObject({ valid: true, key_id: usageKey.apiKey.id });
      else expect(body.token).toMatch(/^eyJ/);
    }
    // Clients close their connections; the server has nothing left to wait for, so its
    // final usage flush (not the periodic one) must write what the requests above counted.
    for (const { request } of slow) request.socket.destroy();
    const created = responses
      .filter((_, i) => slow[i].kind === 'create')
      .map((r) => JSON.parse(r.body).data.createApiKey as { secret: string; apiKey: { id: string; name: string } });

    const settled = await Promise.all(burst);
    const burstCreated: { secret: string; apiKey: { id: string } }[] = [];
    let burstVerified = 0;
    for (const outcome of settled) {
      if (!outcome.ok) {
        expect(['ECONNREFUSED', 'ECONNRESET', 'EPIPE'], `${outcome.kind}: ${outcome.error.stack}`).toContain(outcome.error.code);
        continue;
      }
      const body = JSON.parse(outcome.response.body);
      expect(outcome.response.status, outcome.response.body).toBe(200);
      if (outcome.kind === 'create') {
        expect(body.errors).toBeUndefined();
        burstCreated.push(body.data.createApiKey);
      } else {
        expect(body.valid).toBe(true);
        burstVerified += 1;
      }
    }
    expect(settled.filter((o) => o.ok).length).toBeGreaterThanOrEqual(1);

    // Exit: code 0, within the bound, the idle connection closed by the server.
    const exit = await Promise.race([a.exited, new Promise<null>((r) => setTimeout(() => r(null), 12_000))]);
    expect(exit, 'still running 12 s after SIGTERM').not.toBeNull();
    expect(exit!.signal).toBeNull();
    expect(exit!.code).toBe(0);
    expect(exit!.at - signalledPerf).toBeLessThan(10_000);
    await idleClosed;

    // The log: one JSON object per line; nothing went wrong on the way down.
    const lines = a.output().split('\n').filter((l) => l.trim());
    const parsed = lines.map((line) => {
      try {
        return JSON.parse(line) as { level?: string; msg?: string };
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
    expect(parsed.filter((l) => l.level === 'error' || l.level === 'fatal' || l.level === 'warn')).toEqual([]);

    // The database was closed cleanly.
    if (db.dialect === 'sqlite') {
      const file = (db.database.config as { file: string }).file;
      for (const suffix of ['-journal', '-wal']) {
        expect(!existsSync(file + suffix) || statSync(file + suffix).size === 0, `${suffix} left behind`).toBe(true);
      }
      const sql = await openSql(db);
      try {
        expect(await sql.query('pragma integrity_check')).toEqual([{ integrity_check: 'ok' }]);
        expect(await sql.query('pragma foreign_key_check')).toEqual([]);
      } finally {
        await sql.close();
      }
    } else {
      const sql = await openSql(db);
      try {
        const others = async () =>
          Number((await sql.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`))[0].n);
        expect(await waitFor(async () => (await others()) === 0, 3_000, 50), 'connections of the stopped process still open').toBe(true);
      } finally {
        await sql.close();
      }
    }

    // A second process on the same database.
    b = await startTracked(db);
    // Usage, exactly: before the signal 10 verifications + 3 mints; after it the 4 in-flight
    // verifications and 2 in-flight mints (each mint is an authentication too).
    const usage = await keyUsage(b.url, root, usageKey.apiKey.id);
    expect({ verifications: usage.verifications, failures: usage.failures, tokensIssued: usage.tokensIssued }).toEqual({ verifications: 10 + 3 + 4 + 2, failures: 0, tokensIssued: 3 + 2 });
    // lastUsedAt comes from the in-flight requests that finished after the signal.
    expect(usage.lastUsedAt).not.toBeNull();
    expect(Date.parse(usage.lastUsedAt!)).toBeGreaterThanOrEqual(signalledAt - 5);
    expect(await keyUsage(b.url, root, web.apiKey.id)).toMatchObject({ verifications: 0, failures: 4, tokensIssued: 0 });
    expect(await keyUsage(b.url, root, revoked.apiKey.id)).toMatchObject({ verifications: 0, failures: 2, tokensIssued: 0 });
    expect(await keyUsage(b.url, root, lateFailure.apiKey.id)).toMatchObject({ verifications: 0, failures: 1, tokensIssued: 0 });
    const burstUsage = await keyUsage(b.url, root, burstKey.apiKey.id);
    expect(burstUsage.verifications).toBeGreaterThanOrEqual(burstVerified);
    expect(burstUsage.verifications).toBeLessThanOrEqual(8);

    // Every acknowledged mutation is stored, with its audit event, and its key works.
    const events = await allAuditEvents(b.url, root, app.id);
    expect(events.filter((e) => e.action === 'auth.failure' && e.targetId === lateFailure.apiKey.id).map((e) => e.details)).toEqual([{ reason: 'KEY_REVOKED' }]);
    const acknowledged = [...created, ...burstCreated];
    expect(acknowledged.length).toBeGreaterThanOrEqual(4);
    for (const key of acknowledged) {
      const stored = await gqlOk<{ apiKey: { id: string; status: string } | null }>(b.url, root, `query($id: ID!) { apiKey(id: $id) { id status } }`, { id: key.apiKey.id });
      expect(stored.apiKey).toEqual({ id: key.apiKey.id, status: 'ACTIVE' });
      expect(events.filter((e) => e.action === 'key.create' && e.targetId === key.apiKey.id)).toHaveLength(1);
      expect((await getJson(`${b.baseUrl}/auth/verify`, key.secret)).body).toMatchObject({ valid: true, key_id: key.apiKey.id });
    }

    // The new process reads everything the old one wrote, and the audit chain is intact.
    const keys = await gqlOk<{ app: { apiKeys: { totalCount: number; nodes: { id: string }[] } } }>(
      b.url,
      root,
      `query($id: ID!) { app(id: $id) { apiKeys(first: 100) { totalCount nodes { id } } } }`,
      { id: app.id },
    );
    const keyCreates = events.filter((e) => e.action === 'key.create');
    expect(keys.app.apiKeys.totalCount).toBe(keyCreates.length);
    expect(new Set(keys.app.apiKeys.nodes.map((k) => k.id))).toEqual(new Set(keyCreates.map((e) => e.targetId)));
    expect(keys.app.apiKeys.totalCount).toBeGreaterThanOrEqual(5 + acknowledged.length);
    expect(keys.app.apiKeys.totalCount).toBeLessThanOrEqual(5 + 4 + 8);
    const chain = await gqlOk<{ verifyAuditChain: { ok: boolean; checked: number; firstBrokenEventId: string | null } }>(
      b.url,
      root,
      `query($id: ID!) { verifyAuditChain(appId: $id) { ok checked firstBrokenEventId } }`,
      { id: app.id },
    );
    expect(chain.verifyAuditChain).toMatchObject({ ok: true, firstBrokenEventId: null });
    expect(chain.verifyAuditChain.checked).toBe(events.length);

    // And it stops cleanly too.
    const bExit = b.exited;
    b.child.kill('SIGTERM');
    expect(await bExit).toMatchObject({ code: 0, signal: null });
  }, 45_000);

  it('does not keep serving a kept-alive connection: a response finished during shutdown closes its connection', async () => {
    // HTTP/1.1 clients (undici, nginx upstream keepalive, browsers) keep connections open
    // after a response unless told otherwise. A response written after SIGTERM must say
    // `Connection: close` and the server must close the connection, so the client sends
    // no further request to a server that is going away (such requests are otherwise
    // served for a while and then cut mid-flight when the connections are force-closed).
    c = await startTracked(db);
    const inFlight = await slowGet(c.port, '/auth/verify', db.rootKey);
    expect((await getJson(`${c.baseUrl}/healthz`)).status).toBe(200);
    const closed = new Promise<void>((r) => inFlight.socket.once('close', () => r()));
    c.child.kill('SIGTERM');
    expect(await waitFor(() => c!.output().includes('shutting down'), 5_000)).toBe(true);
    const response = await inFlight.finish();
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ valid: true, type: 'ROOT' });
    expect.soft(response.headers.connection, 'the response to an in-flight request during shutdown keeps the connection alive').toBe('close');
    const exit = await Promise.race([c.exited, new Promise<null>((r) => setTimeout(() => r(null), 12_000))]);
    expect(exit, 'still running 12 s after SIGTERM').not.toBeNull();
    expect(exit).toMatchObject({ code: 0, signal: null });
    // The server closed the connection (the client never did).
    await closed;
  }, 30_000);
});
