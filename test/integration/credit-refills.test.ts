import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock';
import { ApiKeyDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { restClient } from '../helpers/rest';
import { type TestServer, startTestServer } from '../helpers/test-server';

/**
 * DESIGN.md "Key controls": a refill SETS the balance to `amount` at the start of each
 * period (UTC midnight; dayOfMonth for monthly, clamped to short months), computed at
 * the moment of use, so no job has to run. The server's clock is moved by the test.
 */
const clock = new ManualClock(new Date('2026-01-30T12:00:00Z'));
let server: TestServer;
let appId: string;
let rest: ReturnType<typeof restClient>;

beforeAll(async () => {
  server = await startTestServer({ clock });
  appId = (await createApp(server.root, 'Refills')).id;
  rest = restClient(server.baseUrl);
});
afterAll(() => server?.close());

const at = (iso: string) => clock.set(new Date(iso));
async function spend(key: string): Promise<number | 'refused'> {
  const response = await rest.call('/auth/verify', { key });
  if (response.status === 429) return 'refused';
  return ((await response.json()) as { credits: { remaining: number } }).credits.remaining;
}

describe('daily refills', () => {
  it('refill at UTC midnight exactly, not a millisecond before, and once per day however many uses', async () => {
    at('2026-01-30T12:00:00Z');
    const key = await createKey(server.root, { appId, mode: 'LIVE', extra: { credits: { remaining: 1, refill: { interval: 'DAILY', amount: 3 } } } });
    expect(await spend(key.secret)).toBe(0);
    at('2026-01-30T23:59:59.999Z');
    expect(await spend(key.secret)).toBe('refused');
    at('2026-01-31T00:00:00.000Z');
    expect(await spend(key.secret)).toBe(2);
    expect(await spend(key.secret)).toBe(1);
    at('2026-01-31T23:00:00Z');
    expect(await spend(key.secret)).toBe(0);
    expect(await spend(key.secret)).toBe('refused');
    // Days without use need no catching up: the next use simply starts the current day's balance.
    at('2026-02-05T08:00:00Z');
    expect(await spend(key.secret)).toBe(2);
    const read = await server.root.ok(ApiKeyDocument, { id: key.id });
    expect(read.apiKey?.credits).toMatchObject({ remaining: 2, lastRefillAt: '2026-02-05T00:00:00.000Z' });
  });

  it('reads as refilled on the key before anyone used it in the new period', async () => {
    at('2026-03-01T10:00:00Z');
    const key = await createKey(server.root, { appId, extra: { credits: { remaining: 0, refill: { interval: 'DAILY', amount: 9 } } } });
    at('2026-03-02T00:00:01Z');
    const read = await server.root.ok(ApiKeyDocument, { id: key.id });
    expect(read.apiKey?.credits).toMatchObject({ remaining: 9, lastRefillAt: '2026-03-02T00:00:00.000Z' });
  });
});

describe('monthly refills', () => {
  it('refill on dayOfMonth, clamped to the last day of short months', async () => {
    at('2026-01-31T12:00:00Z');
    const key = await createKey(server.root, { appId, extra: { credits: { remaining: 0, refill: { interval: 'MONTHLY', amount: 5, dayOfMonth: 31 } } } });
    expect(await spend(key.secret)).toBe('refused');
    at('2026-02-27T23:59:59Z');
    expect(await spend(key.secret)).toBe('refused');
    // February has no 31st: its refill comes on the 28th.
    at('2026-02-28T00:00:00Z');
    expect(await spend(key.secret)).toBe(4);
    at('2026-03-30T23:59:59Z');
    expect(await spend(key.secret)).toBe(3);
    at('2026-03-31T00:00:00Z');
    expect(await spend(key.secret)).toBe(4);
    // April has 30 days.
    at('2026-04-30T00:00:00Z');
    expect(await spend(key.secret)).toBe(4);
  });

  it('does not refill a balance set after this period began until the next period', async () => {
    at('2026-05-20T09:00:00Z');
    const key = await createKey(server.root, { appId, extra: { credits: { remaining: 1, refill: { interval: 'MONTHLY', amount: 100, dayOfMonth: 15 } } } });
    expect(await spend(key.secret)).toBe(0);
    at('2026-06-14T23:59:59Z');
    expect(await spend(key.secret)).toBe('refused');
    at('2026-06-15T00:00:00Z');
    expect(await spend(key.secret)).toBe(99);
  });
});
