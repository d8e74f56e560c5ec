import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../src/modules/auth/key-format';
import { SessionAccessDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { type TestServer, startTestServer } from '../helpers/test-server';

/**
 * Issue 14 part 3 and issue 16 F6: the per-IP budget of failed authentications refuses
 * a guesser cheaply (no database query for its made-up keys or made-up tokens) without
 * locking out valid keys used from the same address (an office behind one NAT). The
 * database work is observed through the ORM's own query hook (`onQuery`).
 */

const BUDGET = 5;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** Well-formed (valid checksum), so only the database can tell it is made up. */
const madeUpKey = () => generateKey({ type: 'app', kind: 'sk', mode: 'test' }, undefined).value;
/** JWT-shaped garbage: the contract's header with a random kid, any payload, a random signature. */
const randomKidToken = () =>
  `${b64({ alg: 'EdDSA', typ: 'session+jwt', kid: `sig_${randomBytes(12).toString('hex')}` })}.${b64({ sub: 'x', aud: 'app_x' })}.${randomBytes(64).toString('base64url')}`;

let server: TestServer;
let good: string;
let token: string;
/** SQL the ORM ran since the last reset, as sent. */
let queries: string[] = [];

beforeAll(async () => {
  // The client IP comes from X-Forwarded-For of the trusted loopback proxy, so one test
  // process can act as several clients.
  server = await startTestServer({
    env: { KEYGATE_AUTH_FAILURES_PER_IP: String(BUDGET), KEYGATE_AUTH_FAILURE_WINDOW_SECONDS: '60', KEYGATE_TRUST_PROXY: '127.0.0.1' },
  });
  const appId = (await createApp(server.root, 'Office')).id;
  good = (await createKey(server.root, { appId, role: 'READ_WRITE' })).secret;
  token = (await server.client(good).ok(SessionAccessDocument, { input: { userId: 'u1' } })).sessionAccess.token;
  server.keygate.runtime.orm.config.set('onQuery', (sql: string) => {
    queries.push(sql);
    return sql;
  });
});
afterAll(() => server?.close());

const get = (path: string, credential: string, ip: string) =>
  fetch(`${server.baseUrl}${path}`, { headers: { authorization: `Bearer ${credential}`, 'x-forwarded-for': ip } });
const viewer = (credential: string, ip: string) =>
  fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}`, 'x-forwarded-for': ip },
    body: JSON.stringify({ query: '{ viewer { type } }' }),
  });
/** Lookups of one row by a column (the usage recorder's periodic `update api_keys …` is not one). */
const lookups = (table: string, column: string) => queries.filter((sql) => /^select\b/i.test(sql) && sql.includes(table) && new RegExp(`\\bwhere\\b.*\\b${column}\\b`, 'i').test(sql)).length;

describe('a guesser spends its own budget, not its neighbours\'', () => {
  it('after the budget, made-up keys get 429 without a database lookup, while a key in use from the same address keeps working', async () => {
    const office = '203.0.113.50';
    // The valid key is in use from the office before the guessing starts.
    expect((await get('/auth/verify', good, office)).status).toBe(200);
    queries = [];
    for (let i = 0; i < BUDGET; i++) expect((await get('/auth/verify', madeUpKey(), office)).status).toBe(401);
    expect(lookups('api_keys', 'hash')).toBe(BUDGET);

    queries = [];
    for (let i = 0; i < 20; i++) {
      const refused = await get('/auth/verify', madeUpKey(), office);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(((await refused.json()) as any).error).toMatchObject({ code: 'rate_limited', reason: 'RATE_LIMITED' });
    }
    expect(lookups('api_keys', 'hash')).toBe(0);

    // Meanwhile the office's key answers on every entry point.
    expect((await get('/auth/verify', good, office)).status).toBe(200);
    const graphql = await viewer(good, office);
    expect(graphql.status).toBe(200);
    expect(((await graphql.json()) as any).data.viewer.type).toBe('API_KEY');
    expect((await get('/auth/forward', good, office)).status).toBe(200);
  });

  it('a malformed or repeated made-up key from a spent address is refused with 429 too (no lookup either)', async () => {
    const guesser = '203.0.113.51';
    const repeated = madeUpKey();
    for (let i = 0; i < BUDGET; i++) expect((await get('/auth/verify', repeated, guesser)).status).toBe(401);
    queries = [];
    expect((await get('/auth/verify', repeated, guesser)).status).toBe(429);
    expect((await get('/auth/verify', 'sk_test_guess', guesser)).status).toBe(429);
    expect((await viewer(madeUpKey(), guesser)).status).toBe(429);
    expect(lookups('api_keys', 'hash')).toBe(0);
  });

  it('a key this process has not verified yet is, from a spent address, refused like a guess until the window ends (telling them apart would take the query the throttle saves)', async () => {
    const guesser = '203.0.113.52';
    const appId = (await createApp(server.root, 'Unseen')).id;
    const unseen = (await createKey(server.root, { appId })).secret;
    for (let i = 0; i < BUDGET; i++) expect((await get('/auth/verify', madeUpKey(), guesser)).status).toBe(401);
    expect((await get('/auth/verify', unseen, guesser)).status).toBe(429);
    // From any other address it works, and from then on this process vouches for it.
    expect((await get('/auth/verify', unseen, '203.0.113.53')).status).toBe(200);
    expect((await get('/auth/verify', unseen, guesser)).status).toBe(200);
  });
});

describe('JWT-shaped garbage at /auth/forward (issue 16 F6)', () => {
  it('random-kid tokens spend the budget like made-up keys: 40 of them, 401 until the budget is spent, then 403 rate_limited with Retry-After', async () => {
    const guesser = '198.51.100.60';
    queries = [];
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const response = await get('/auth/forward', randomKidToken(), guesser);
      statuses.push(response.status);
      const body = (await response.json()) as any;
      if (response.status === 403) {
        expect(body.error).toMatchObject({ code: 'rate_limited', reason: 'RATE_LIMITED' });
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      }
    }
    expect(statuses).toEqual([...Array(BUDGET).fill(401), ...Array(40 - BUDGET).fill(403)]);
    // One lookup per unknown kid while the budget lasted, none after.
    expect(lookups('signing_keys', 'kid')).toBe(BUDGET);
    // A real token keeps working from the same address: its kid is held in memory.
    expect((await get('/auth/forward', token, guesser)).status).toBe(200);
  });

  it('an unknown kid is remembered briefly: presenting it again costs no database lookup', async () => {
    const client = '198.51.100.61';
    const garbage = randomKidToken();
    queries = [];
    expect((await get('/auth/forward', garbage, client)).status).toBe(401);
    expect(lookups('signing_keys', 'kid')).toBe(1);
    expect((await get('/auth/forward', garbage, client)).status).toBe(401);
    expect((await get('/auth/forward', garbage, '198.51.100.62')).status).toBe(401);
    expect(lookups('signing_keys', 'kid')).toBe(1);
  });
});

describe('a guesser cannot escape its budget by rewriting X-Forwarded-For (issue 20 F5)', () => {
  it('behind a trusted proxy, varying the left-most entry changes nothing: the budget is that of the address the trusted chain resolves to, ports and all', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < BUDGET + 3; i++) statuses.push((await get('/auth/verify', madeUpKey(), `192.0.2.${i + 1}, 198.51.100.70:${40000 + i}`)).status);
    expect(statuses).toEqual([...Array(BUDGET).fill(401), 429, 429, 429]);
    // Its neighbour, seen by the same proxy from another address, is not throttled.
    expect((await get('/auth/verify', madeUpKey(), '192.0.2.1, 198.51.100.71:40000')).status).toBe(401);
  });

  describe('with KEYGATE_TRUST_PROXY=true (the left-most entry names the client)', () => {
    let open: TestServer;
    beforeAll(async () => {
      open = await startTestServer({ env: { KEYGATE_AUTH_FAILURES_PER_IP: String(BUDGET), KEYGATE_AUTH_FAILURE_WINDOW_SECONDS: '60', KEYGATE_TRUST_PROXY: 'true' } });
    });
    afterAll(() => open?.close());

    const verifyVia = (header: string) => fetch(`${open.baseUrl}/auth/verify`, { headers: { authorization: `Bearer ${madeUpKey()}`, 'x-forwarded-for': header } });

    it('a client forging a new left-most entry each time is throttled on the address the nearest proxy saw (the right-most)', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < BUDGET + 3; i++) statuses.push((await verifyVia(`192.0.2.${i + 1}, 198.51.100.80`)).status);
      expect(statuses).toEqual([...Array(BUDGET).fill(401), 429, 429, 429]);
    });

    it('nor can it spend the budget of the address it names: a client at that address is not throttled', async () => {
      expect((await verifyVia('198.51.100.81')).status).toBe(401);
      for (let i = 0; i < BUDGET; i++) await verifyVia('198.51.100.81, 198.51.100.82');
      expect((await verifyVia('198.51.100.81')).status).toBe(401);
    });
  });
});
