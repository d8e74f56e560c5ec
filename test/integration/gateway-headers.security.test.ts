import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, createKey } from '../helpers/fixtures';
import { type GraphQLUpstream, startGraphQLUpstream } from '../helpers/graphql-upstream';
import { rawHttp } from '../helpers/raw-http';
import { type TestServer, startTestServer } from '../helpers/test-server';

/**
 * DESIGN.md "Gateway", upstream request: what the upstream learns about the client comes
 * from Keygate, never from the client. Headers naming the client's address, scheme or
 * host are replaced by Keygate's own view (as KEYGATE_TRUST_PROXY resolves it, the address
 * IP allow-lists check), and hop-by-hop headers stop at Keygate. A real upstream records
 * what it received.
 */

const SDL = 'type Query { stats: Int }';
const FORGED = {
  'x-forwarded-for': '198.51.100.66',
  forwarded: 'for=198.51.100.66;proto=https;host=admin.example',
  'x-real-ip': '198.51.100.66',
  'x-forwarded-host': 'admin.example',
  'x-forwarded-proto': 'https',
  'x-forwarded-port': '443',
  'true-client-ip': '198.51.100.66',
  'cf-connecting-ip': '198.51.100.66',
};

let upstream: GraphQLUpstream;
let schemaFile: string;

beforeAll(async () => {
  upstream = await startGraphQLUpstream(SDL, { stats: 5 });
  schemaFile = join(mkdtempSync(join(tmpdir(), 'keygate-gateway-headers-')), 'schema.graphql');
  writeFileSync(schemaFile, SDL);
});

afterAll(async () => {
  await upstream?.close();
});

const startGateway = (env: Record<string, string> = {}) => startTestServer({ env: { KEYGATE_GATEWAY_UPSTREAM: upstream.url, KEYGATE_GATEWAY_SCHEMA: schemaFile, ...env } });

/** One operation through the gateway with these headers; the headers the upstream got. */
async function headersReceived(server: TestServer, key: string, headers: Record<string, string>) {
  const response = await fetch(`${server.baseUrl}/gateway/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
    body: JSON.stringify({ query: '{ stats }' }),
  });
  expect(response.status).toBe(200);
  return upstream.received[upstream.received.length - 1].headers;
}

describe('without trusted proxies (KEYGATE_TRUST_PROXY unset)', () => {
  let server: TestServer;
  let key: string;

  beforeAll(async () => {
    server = await startGateway();
    const appId = (await createApp(server.root, 'Shop')).id;
    key = (await createKey(server.root, { appId, mode: 'LIVE' })).secret;
  });

  afterAll(async () => {
    await server?.close();
  });

  it('replaces forged X-Forwarded-For/-Proto/-Host with the socket peer, plain HTTP and the Host header, and drops Forwarded and the other client-address headers', async () => {
    const headers = await headersReceived(server, key, FORGED);
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-host']).toBe(new URL(server.baseUrl).host);
    for (const name of ['forwarded', 'x-real-ip', 'x-forwarded-port', 'true-client-ip', 'cf-connecting-ip']) expect(headers[name]).toBeUndefined();
    expect(JSON.stringify(headers)).not.toContain('198.51.100.66');
    expect(JSON.stringify(headers)).not.toContain('admin.example');
  });

  it('stops hop-by-hop headers, and those the client\'s Connection header names, at Keygate', async () => {
    const answer = await rawHttp(server.baseUrl, {
      method: 'POST',
      path: '/gateway/graphql',
      headers: [
        ['Authorization', `Bearer ${key}`],
        ['Content-Type', 'application/json'],
        ['Connection', 'X-Hop-Secret, Keep-Alive'],
        ['X-Hop-Secret', 'for the next hop only'],
        ['Keep-Alive', 'timeout=5'],
        ['Proxy-Authorization', 'Basic cHJveHk6c2VjcmV0'],
        ['TE', 'trailers'],
        ['X-Trace', 't-9'],
      ],
      body: JSON.stringify({ query: '{ stats }' }),
    });
    expect(answer.status).toBe(200);
    const { headers } = upstream.received[upstream.received.length - 1];
    for (const name of ['x-hop-secret', 'keep-alive', 'proxy-authorization', 'te']) expect(headers[name]).toBeUndefined();
    expect(headers['x-trace']).toBe('t-9');
  });
});

describe('behind a trusted proxy (KEYGATE_TRUST_PROXY=127.0.0.1)', () => {
  let server: TestServer;
  let appId: string;

  beforeAll(async () => {
    server = await startGateway({ KEYGATE_TRUST_PROXY: '127.0.0.1' });
    appId = (await createApp(server.root, 'Shop')).id;
  });

  afterAll(async () => {
    await server?.close();
  });

  it('sends the client address the IP allow-list checked, not the entries a client wrote to its left', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE', extra: { allowedIps: ['203.0.113.9'] } });
    const headers = await headersReceived(server, key.secret, { 'x-forwarded-for': '198.51.100.66, 203.0.113.9', 'x-real-ip': '198.51.100.66' });
    expect(headers['x-forwarded-for']).toBe('203.0.113.9');
    expect(headers['x-real-ip']).toBeUndefined();
  });

  it('passes on the scheme and host the trusted proxy reported', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE' });
    const headers = await headersReceived(server, key.secret, { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.shop.example' });
    expect(headers).toMatchObject({ 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.shop.example' });
  });

  it('sends no X-Forwarded-For when the proxy chain does not name the client', async () => {
    const key = await createKey(server.root, { appId, mode: 'LIVE' });
    const headers = await headersReceived(server, key.secret, { 'x-forwarded-for': '198.51.100.66, unknown' });
    expect(headers['x-forwarded-for']).toBeUndefined();
  });
});
