import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeygate, type Keygate } from '../../src/app';
import { createLogger } from '../../src/logger';
import { AuditEventsDocument, CreateWebhookEndpointDocument, DeleteWebhookEndpointDocument, type KeyMode, WebhookEndpointsDocument, type WebhookEndpointsQuery } from '../generated/graphql';
import { tally } from '../helpers/concurrency';
import { createApp, createKey } from '../helpers/fixtures';
import { GraphQLClient, type GraphQLResult } from '../helpers/graphql-client';
import { type TestServer, startTestServer } from '../helpers/test-server';

/**
 * Issue 20, F6 and F4: an app has at most KEYGATE_WEBHOOK_MAX_ENDPOINTS (16) endpoints per
 * mode, so one event's fan-out is bounded; the next is refused with BAD_USER_INPUT and
 * `extensions.limit: "endpoints"`, also when creates race; and `webhookEndpoints` pages
 * through every endpoint, so none can receive events while out of sight.
 */

const MAX = 16;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

/** Endpoints point at a closed loopback port (allowed outside production); nothing is sent to them here. */
const create = (client: GraphQLClient, appId: string, mode: KeyMode, n: number) =>
  client.request(CreateWebhookEndpointDocument, { input: { appId, mode, url: `http://127.0.0.1:9/hook-${mode}-${n}` } });

async function fill(client: GraphQLClient, appId: string, mode: KeyMode, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 0; n < count; n++) ids.push((await client.ok(CreateWebhookEndpointDocument, { input: { appId, mode, url: `http://127.0.0.1:9/hook-${mode}-${n}` } })).createWebhookEndpoint.endpoint.id);
  return ids;
}

const countOf = async (client: GraphQLClient, appId: string, mode?: KeyMode) => (await client.ok(WebhookEndpointsDocument, { appId, mode })).webhookEndpoints.totalCount;

/** Refused for the cap: no data, and nothing of the endpoint (no secret) in the answer. */
function expectCapRefusal(result: GraphQLResult<unknown>) {
  expect(result.status).toBe(200);
  expect(result.data).toBeNull();
  expect(result.errors).toHaveLength(1);
  expect(result.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'endpoints' });
  expect(JSON.stringify(result)).not.toContain('whsec_');
}

describe('the cap of 16 endpoints per app and mode', () => {
  let appId: string;
  beforeAll(async () => {
    appId = (await createApp(server.root, 'Capped app')).id;
  });

  it('refuses the 17th LIVE endpoint with BAD_USER_INPUT and extensions.limit "endpoints", writing nothing', async () => {
    await fill(server.root, appId, 'LIVE', MAX);
    const refused = await create(server.root, appId, 'LIVE', MAX);
    expectCapRefusal(refused);
    expect(refused.errors![0].message).toBe('The app already has the most live-mode webhook endpoints allowed (16): delete one first');
    expect(await countOf(server.root, appId, 'LIVE')).toBe(MAX);
    const audit = await server.root.ok(AuditEventsDocument, { appId, mode: 'LIVE', first: 100 });
    expect(audit.auditEvents.nodes.filter((e) => e.action === 'webhook.create')).toHaveLength(MAX);
  });

  it('counts each mode on its own: a TEST-mode ADMIN key still adds 16 TEST endpoints, and its 17th is refused', async () => {
    const admin = server.client((await createKey(server.root, { appId, mode: 'TEST', role: 'ADMIN', name: 'test admin' })).secret);
    await fill(admin, appId, 'TEST', MAX);
    expectCapRefusal(await create(admin, appId, 'TEST', MAX));
    expectCapRefusal(await create(server.root, appId, 'TEST', MAX));
    expect(await countOf(server.root, appId, 'TEST')).toBe(MAX);
    expect(await countOf(server.root, appId)).toBe(2 * MAX);
  });

  it('counts each app on its own: another app is not affected', async () => {
    const other = (await createApp(server.root, 'Uncapped neighbour')).id;
    const created = await create(server.root, other, 'LIVE', 0);
    expect(created.errors).toBeUndefined();
    expect(await countOf(server.root, other)).toBe(1);
  });

  it('makes room again when one is deleted', async () => {
    const [newest] = (await server.root.ok(WebhookEndpointsDocument, { appId, mode: 'LIVE', first: 1 })).webhookEndpoints.nodes;
    await server.root.ok(DeleteWebhookEndpointDocument, { id: newest.id });
    expect((await create(server.root, appId, 'LIVE', MAX + 1)).errors).toBeUndefined();
    expectCapRefusal(await create(server.root, appId, 'LIVE', MAX + 2));
  });
});

describe('concurrent creates', () => {
  it('of 8 at once when 15 exist, exactly one is made and 7 are refused for the cap; the app ends with 16', async () => {
    const appId = (await createApp(server.root, 'Raced app')).id;
    await fill(server.root, appId, 'LIVE', MAX - 1);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => create(server.root, appId, 'LIVE', 100 + i)));
    expect(tally(results.map((r) => (r.errors ? `${r.errors[0].extensions?.code}:${r.errors[0].extensions?.limit}` : 'created')))).toEqual({ created: 1, 'BAD_USER_INPUT:endpoints': 7 });
    expect(await countOf(server.root, appId, 'LIVE')).toBe(MAX);
  });

  it('of 48 at once on an app with none, 24 per mode, exactly 16 of each mode are made', async () => {
    const appId = (await createApp(server.root, 'Stampeded app')).id;
    const results = await Promise.all(Array.from({ length: 48 }, (_, i) => create(server.root, appId, i % 2 ? 'TEST' : 'LIVE', i)));
    expect(results.filter((r) => !r.errors)).toHaveLength(2 * MAX);
    for (const refused of results.filter((r) => r.errors)) expectCapRefusal(refused);
    expect(await countOf(server.root, appId, 'LIVE')).toBe(MAX);
    expect(await countOf(server.root, appId, 'TEST')).toBe(MAX);
  });
});

describe('webhookEndpoints pages through every endpoint', () => {
  let appId: string;
  let created: string[];
  beforeAll(async () => {
    appId = (await createApp(server.root, 'Listed app')).id;
    created = [...(await fill(server.root, appId, 'LIVE', MAX)), ...(await fill(server.root, appId, 'TEST', MAX))];
  });

  it('shows all 16 of a mode on one default page', async () => {
    const page = (await server.root.ok(WebhookEndpointsDocument, { appId, mode: 'TEST' })).webhookEndpoints;
    expect(page.nodes).toHaveLength(MAX);
    expect(page.pageInfo.hasNextPage).toBe(false);
    expect(page.nodes.map((e) => e.id)).toEqual(created.slice(MAX).reverse());
  });

  it('reaches all 32 of both modes, newest first, each once, five at a time', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 1; ; pages++) {
      const page: WebhookEndpointsQuery['webhookEndpoints'] = (await server.root.ok(WebhookEndpointsDocument, { appId, first: 5, after })).webhookEndpoints;
      expect(page.totalCount).toBe(2 * MAX);
      expect(page.edges.at(-1)?.cursor).toBe(page.pageInfo.endCursor);
      seen.push(...page.nodes.map((e) => e.id));
      if (!page.pageInfo.hasNextPage) {
        expect(pages).toBe(7);
        break;
      }
      after = page.pageInfo.endCursor!;
    }
    expect(seen).toEqual([...created].reverse());
  });

  it('refuses a page size past 100 and a cursor it did not issue with BAD_USER_INPUT', async () => {
    const tooMany = await server.root.request(WebhookEndpointsDocument, { appId, first: 101 });
    expect(tooMany.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    const forged = await server.root.request(WebhookEndpointsDocument, { appId, after: 'not-a-cursor' });
    expect(forged.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('a lower KEYGATE_WEBHOOK_MAX_ENDPOINTS than an app already has', () => {
  let lowered: Keygate;
  let client: GraphQLClient;
  let appId: string;
  beforeAll(async () => {
    appId = (await createApp(server.root, 'Shrunk app')).id;
    await fill(server.root, appId, 'LIVE', 6);
    // A second Keygate on the same database, started with the cap lowered to 4.
    const config = server.keygate.runtime.config;
    lowered = await createKeygate({ ...config, port: 0, webhooks: { ...config.webhooks, maxEndpoints: 4 } }, { logger: createLogger('silent') });
    client = new GraphQLClient((await lowered.listen()).url, server.rootKey);
  });
  afterAll(() => lowered?.close());

  it('hides and deletes none of the 6 there, and refuses a 7th', async () => {
    expect((await client.ok(WebhookEndpointsDocument, { appId, mode: 'LIVE' })).webhookEndpoints.nodes).toHaveLength(6);
    const refused = await create(client, appId, 'LIVE', 6);
    expectCapRefusal(refused);
    expect(refused.errors![0].message).toContain('(4)');
    expect(await countOf(client, appId, 'LIVE')).toBe(6);
  });

  it('admits a new one only once fewer than 4 are left', async () => {
    const ids = (await client.ok(WebhookEndpointsDocument, { appId, mode: 'LIVE' })).webhookEndpoints.nodes.map((e) => e.id);
    await client.ok(DeleteWebhookEndpointDocument, { id: ids[0] });
    await client.ok(DeleteWebhookEndpointDocument, { id: ids[1] });
    expectCapRefusal(await create(client, appId, 'LIVE', 7));
    await client.ok(DeleteWebhookEndpointDocument, { id: ids[2] });
    expect((await create(client, appId, 'LIVE', 8)).errors).toBeUndefined();
    expect(await countOf(client, appId, 'LIVE')).toBe(4);
  });
});
