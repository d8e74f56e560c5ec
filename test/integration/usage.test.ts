import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock';
import { UsageRecorder } from '../../src/modules/usage/usage.recorder';
import { RevokeApiKeyDocument, RotateApiKeyDocument, SessionAccessDocument, ViewerDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/test-server';

// Mid-hour, so every use in this file lands in one hourly bucket.
const clock = new ManualClock(new Date('2026-11-23T10:20:00Z'));
let server: TestServer;
let appId: string;

beforeAll(async () => {
  server = await startTestServer({ clock });
  appId = (await createApp(server.root, 'Usage app', { allowedOrigins: ['https://shop.example.com'] })).id;
});
afterAll(() => server?.close());

const USAGE = `query($id: ID!, $from: DateTime, $to: DateTime, $g: UsageGranularity) {
  apiKey(id: $id) { lastUsedAt usage(from: $from, to: $to, granularity: $g) { start verifications failures tokensIssued } } }`;

async function usageOf(id: string) {
  const r = await server.root.raw<{ apiKey: { lastUsedAt: string | null; usage: { start: string; verifications: number; failures: number; tokensIssued: number }[] } }>(
    USAGE,
    { id, from: '2026-11-23T10:00:00Z', to: '2026-11-23T11:00:00Z' },
  );
  expect(r.errors).toBeUndefined();
  return r.data!.apiKey;
}

describe('key usage', () => {
  it('counts successes, failures of the real key and minted tokens per hour, and sets lastUsedAt', async () => {
    const writer = await createKey(server.root, { appId, role: 'READ_WRITE', mode: 'LIVE' });
    const client = server.client(writer.secret);
    for (let i = 0; i < 3; i++) await client.ok(ViewerDocument);
    await client.ok(SessionAccessDocument, { input: { userId: 'u1' } });
    await client.ok(SessionAccessDocument, { input: { userId: 'u2' } });
    // A refusal by role still names the key: a failure.
    expect((await client.raw(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: writer.id })).status).toBe(403);

    const usage = await usageOf(writer.id);
    expect(usage.usage).toEqual([{ start: '2026-11-23T10:00:00.000Z', verifications: 6, failures: 1, tokensIssued: 2 }]);
    expect(usage.lastUsedAt).toBe(clock.now().toISOString());
  });

  it('counts uses of revoked keys and wrong origins as failures, never as verifications', async () => {
    const pk = await createKey(server.root, { appId, kind: 'PUBLISHABLE', mode: 'LIVE' });
    await server.client(pk.secret, { origin: 'https://shop.example.com' }).ok(ViewerDocument);
    expect((await server.client(pk.secret, { origin: 'https://evil.example.net' }).request(ViewerDocument)).status).toBe(403);
    await server.root.ok(RevokeApiKeyDocument, { id: pk.id });
    expect((await server.client(pk.secret).request(ViewerDocument)).status).toBe(401);
    expect((await usageOf(pk.id)).usage[0]).toMatchObject({ verifications: 1, failures: 2, tokensIssued: 0 });
  });

  it('zero-fills buckets, sums the app by mode, and aggregates days', async () => {
    const r = await server.root.raw<{ app: { hours: unknown[]; days: { verifications: number }[]; test: { verifications: number }[] } }>(
      `query($id: ID!) { app(id: $id) {
         hours: usage(from: "2026-11-23T08:00:00Z", to: "2026-11-23T11:00:00Z", mode: LIVE) { start verifications }
         days: usage(from: "2026-11-22T00:00:00Z", to: "2026-11-24T00:00:00Z", granularity: DAY) { start verifications }
         test: usage(from: "2026-11-23T10:00:00Z", to: "2026-11-23T11:00:00Z", mode: TEST) { verifications } } }`,
      { id: appId },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.app.hours).toHaveLength(3);
    expect(r.data!.app.hours.slice(0, 2)).toEqual([
      { start: '2026-11-23T08:00:00.000Z', verifications: 0 },
      { start: '2026-11-23T09:00:00.000Z', verifications: 0 },
    ]);
    expect(r.data!.app.days.map((d) => d.verifications)).toEqual([0, 7]);
    expect(r.data!.app.test).toEqual([{ verifications: 0 }]);
  });

  it('rejects a reversed or too long range with BAD_USER_INPUT', async () => {
    const key = await createKey(server.root, { appId });
    for (const vars of [{ from: '2026-11-23T11:00:00Z', to: '2026-11-23T10:00:00Z' }, { from: '2026-01-01T00:00:00Z', to: '2026-11-23T00:00:00Z', g: 'HOUR' }]) {
      const r = await server.root.raw(USAGE, { id: key.id, ...vars });
      expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('lists keys not used since a date (never-used keys included): the "revoke unused keys" view', async () => {
    const app = await createApp(server.root, 'Unused');
    const used = await createKey(server.root, { appId: app.id, name: 'used' });
    await createKey(server.root, { appId: app.id, name: 'idle' });
    await server.client(used.secret).ok(ViewerDocument);
    const r = await server.root.raw<{ app: { apiKeys: { nodes: { name: string }[] } } }>(
      `query($id: ID!, $since: DateTime) { app(id: $id) { apiKeys(unusedSince: $since) { nodes { name } } } }`,
      { id: app.id, since: new Date(clock.now().getTime() - 60_000).toISOString() },
    );
    expect(r.data!.app.apiKeys.nodes.map((k) => k.name)).toEqual(['idle']);
  });

  it('adds counts from several writers instead of overwriting (as several processes do)', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE' });
    const ref = { id: key.id, appId, mode: 'LIVE' as const };
    const { orm, logger } = server.keygate.runtime;
    const a = new UsageRecorder(orm, clock, logger);
    const b = new UsageRecorder(orm, clock, logger);
    for (let i = 0; i < 5; i++) a.record(ref as never, 'verification');
    for (let i = 0; i < 7; i++) b.record(ref as never, 'verification');
    b.record(ref as never, 'token');
    await Promise.all([a.flush(), b.flush()]);
    a.record(ref as never, 'failure');
    await a.stop();
    await b.stop();
    expect((await usageOf(key.id)).usage[0]).toMatchObject({ verifications: 12, failures: 1, tokensIssued: 1 });
  });

  it('keeps counting across a rotation: the new key has its own usage', async () => {
    const old = await createKey(server.root, { appId, role: 'READ_ONLY', mode: 'LIVE' });
    const { rotateApiKey } = await server.root.ok(RotateApiKeyDocument, { id: old.id });
    await server.client(rotateApiKey.secret).ok(ViewerDocument);
    await server.client(old.secret).ok(ViewerDocument);
    expect((await usageOf(old.id)).usage[0].verifications).toBe(1);
    expect((await usageOf(rotateApiKey.rotation.newKey.id)).usage[0].verifications).toBe(1);
  });
});
