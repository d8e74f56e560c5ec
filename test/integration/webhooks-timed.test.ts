import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeygate, type Keygate } from '../../src/app';
import { createLogger } from '../../src/logger';
import { ManualClock } from '../../src/shared/clock';
import { CreateWebhookEndpointDocument, WebhookDeliveriesDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { waitFor } from '../helpers/process-harness';
import { type TestServer, startTestServer } from '../helpers/test-server';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver';

/**
 * Timed events (DESIGN.md "Webhooks"): `key.expiring` 7 days and 1 day before expiresAt,
 * `rotation.grace_ending` 1 hour before graceEndsAt, each emitted once — also when two
 * Keygates on the same database look for them at the same moment. The clock is moved
 * by hand; each step runs both instances' scans concurrently.
 */

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const clock = new ManualClock(new Date('2031-03-01T00:00:00.000Z'));
let server: TestServer;
let second: Keygate;
let receiver: Receiver;
let appId: string;
let expiresIn10d: string;
let expiresIn12h: string;
let rotationId: string;
let oldKeyId: string;

beforeAll(async () => {
  // The timers would scan too; the steps below scan explicitly instead.
  server = await startTestServer({ clock, env: { KEYGATE_WEBHOOK_SCAN_SECONDS: '3600' } });
  const quiet = new Writable({ write: (_c, _e, done) => done() });
  second = await createKeygate(server.keygate.runtime.config, { clock, logger: createLogger('silent', quiet) });
  receiver = await startReceiver();
  appId = (await createApp(server.root, 'Timed app')).id;
  receiver.secret = (await server.root.ok(CreateWebhookEndpointDocument, { input: { appId, mode: 'LIVE', url: receiver.url, events: ['key.expiring', 'rotation.grace_ending'] } })).createWebhookEndpoint.secret;
  const at = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();
  expiresIn10d = (await createKey(server.root, { appId, mode: 'LIVE', expiresAt: at(10 * DAY), name: 'ten days' })).id;
  expiresIn12h = (await createKey(server.root, { appId, mode: 'LIVE', expiresAt: at(12 * HOUR), name: 'twelve hours' })).id;
  oldKeyId = (await createKey(server.root, { appId, mode: 'LIVE', name: 'rotating' })).id;
  const rotated = await server.root.raw<{ rotateApiKey: { rotation: { id: string } } }>('mutation($id: ID!) { rotateApiKey(id: $id, gracePeriodSeconds: 7200) { rotation { id } } }', { id: oldKeyId });
  rotationId = rotated.data!.rotateApiKey.rotation.id;
});
afterAll(async () => {
  await second?.close();
  await server?.close();
  await receiver?.close();
});

/** Both instances look at once; returns how many events they wrote together. */
async function scanBoth(): Promise<number> {
  const [a, b] = await Promise.all([server.keygate.runtime.webhooks.scan(), second.runtime.webhooks.scan()]);
  return a + b;
}

/**
 * Waits until every delivery so far has been recorded SUCCEEDED. Before the clock jumps days
 * ahead it must be: a jump would also run out the lease of an attempt still in flight (leases
 * are clock time), and the other instance would rightly make that attempt again.
 */
async function settled(): Promise<boolean> {
  const count = async (status?: 'SUCCEEDED') => (await server.root.ok(WebhookDeliveriesDocument, { appId, mode: 'LIVE', status })).webhookEndpoints.nodes[0].deliveries.totalCount;
  return waitFor(async () => (await count('SUCCEEDED')) === (await count()), 10_000);
}

const timed = () => receiver.events().map((e) => `${e.type} ${e.data.key_id} ${e.data.notice ?? ''}`.trim());

describe('timed events, with two Keygates on one database', () => {
  it('a key already within a day of expiry gets the 1-day notice only (not a late 7-day one)', async () => {
    expect(await scanBoth()).toBe(1);
    expect(await waitFor(() => receiver.events().length === 1, 10_000)).toBe(true);
    expect(timed()).toEqual([`key.expiring ${expiresIn12h} 1d`]);
    expect(receiver.events()[0].data).toMatchObject({ app_id: appId, mode: 'LIVE', expires_at: expect.any(String) });
    expect(await settled()).toBe(true);
  });

  it('rotation.grace_ending arrives once, within the last hour of the grace', async () => {
    clock.advance(HOUR + 30 * 60_000);
    expect(await scanBoth()).toBe(1);
    expect(await waitFor(() => receiver.events('rotation.grace_ending').length === 1, 10_000)).toBe(true);
    expect(receiver.events('rotation.grace_ending')[0].data).toMatchObject({ key_id: oldKeyId, rotation_id: rotationId });
    expect(await scanBoth()).toBe(0);
    expect(await settled()).toBe(true);
  });

  it('key.expiring arrives 7 days before and again 1 day before, once each', async () => {
    clock.set(new Date(Date.parse('2031-03-01T00:00:00.000Z') + 3.5 * DAY));
    expect(await scanBoth()).toBe(1);
    expect(await waitFor(() => receiver.events().length === 3, 10_000)).toBe(true);
    expect(await settled()).toBe(true);
    clock.set(new Date(Date.parse('2031-03-01T00:00:00.000Z') + 9.5 * DAY));
    expect(await scanBoth()).toBe(1);
    expect(await scanBoth()).toBe(0);
    expect(await waitFor(() => receiver.events().length === 4, 10_000)).toBe(true);
    expect(timed().sort()).toEqual(
      [`key.expiring ${expiresIn12h} 1d`, `rotation.grace_ending ${oldKeyId}`, `key.expiring ${expiresIn10d} 7d`, `key.expiring ${expiresIn10d} 1d`].sort(),
    );
  });

  it('every delivery succeeded on its first attempt: nothing was sent twice', async () => {
    const deliveries = (await server.root.ok(WebhookDeliveriesDocument, { appId, mode: 'LIVE' })).webhookEndpoints.nodes[0].deliveries;
    expect(deliveries.totalCount).toBe(4);
    expect(await waitFor(async () => (await server.root.ok(WebhookDeliveriesDocument, { appId, mode: 'LIVE', status: 'SUCCEEDED' })).webhookEndpoints.nodes[0].deliveries.totalCount === 4, 10_000)).toBe(true);
    expect(receiver.received).toHaveLength(4);
  });
});
