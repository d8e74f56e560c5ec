import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEventsDocument, CreateAppDocument } from '../generated/graphql';
import { startTestServer, type TestServer } from '../helpers/test-server';

const PROD = { NODE_ENV: 'production' };

describe('production over plain HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: PROD });
  });
  afterAll(() => server?.close());

  it('refuses REST and GraphQL with https_required / HTTPS_REQUIRED, keeps /healthz reachable', async () => {
    const rest = await fetch(`${server.baseUrl}/auth/verify`, { headers: { authorization: `Bearer ${server.rootKey}` } });
    expect(rest.status).toBe(403);
    expect(await rest.json()).toEqual({ error: expect.objectContaining({ code: 'https_required', reason: 'HTTPS_REQUIRED' }) });
    const graphql = await server.root.raw('{ viewer { type } }');
    expect(graphql.status).toBe(403);
    expect(graphql.errors?.[0].extensions).toEqual({ code: 'FORBIDDEN', reason: 'HTTPS_REQUIRED' });
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
  });

  it('ignores X-Forwarded-Proto from a proxy it does not trust', async () => {
    const response = await fetch(`${server.baseUrl}/auth/verify`, { headers: { authorization: `Bearer ${server.rootKey}`, 'x-forwarded-proto': 'https' } });
    expect(response.status).toBe(403);
  });
});

describe('production behind a trusted proxy (KEYGATE_TRUST_PROXY=127.0.0.1)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { ...PROD, KEYGATE_TRUST_PROXY: '127.0.0.1' } });
  });
  afterAll(() => server?.close());

  it('accepts requests the proxy says arrived over HTTPS, and records the forwarded client IP', async () => {
    const viaProxy = server.client(server.rootKey, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9, 127.0.0.1' });
    const { createApp } = await viaProxy.ok(CreateAppDocument, { input: { name: 'Behind nginx' } });
    const { auditEvents } = await viaProxy.ok(AuditEventsDocument, { appId: createApp.id });
    expect(auditEvents.nodes[0]).toMatchObject({ action: 'app.create', ip: '203.0.113.9' });
    expect((await server.root.raw('{ viewer { type } }')).status).toBe(403);
  });
});

describe('production terminating TLS itself (KEYGATE_TLS_CERT / KEYGATE_TLS_KEY)', () => {
  let dir: string;
  let server: TestServer;
  let ca: Buffer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keygate-tls-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    ca = readFileSync(join(dir, 'cert.pem'));
    server = await startTestServer({ env: { ...PROD, KEYGATE_TLS_CERT: join(dir, 'cert.pem'), KEYGATE_TLS_KEY: join(dir, 'key.pem') } });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the API over HTTPS with the given certificate', async () => {
    expect(server.url).toMatch(/^https:\/\//);
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${server.baseUrl}/auth/verify`, { ca, headers: { authorization: `Bearer ${server.rootKey}` } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ valid: true, type: 'ROOT' });
  });
});
