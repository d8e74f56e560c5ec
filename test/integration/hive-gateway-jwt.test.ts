import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildSchema, graphql } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock';
import { SessionAccessDocument, SetAppScopesDocument } from '../generated/graphql';
import { createApp, createKey } from '../helpers/fixtures';
import { freePort } from '../helpers/nginx';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * The `hive-gateway` command of @graphql-hive/gateway 2, whose JWT plugin verifies with
 * jsonwebtoken 9 and jwks-rsa, in front of a GraphQL upstream, configured with the
 * gateway.config.ts and upstream.graphql of docs/token-verifiers.md ("Hive Gateway") as written:
 * only the addresses, the issuer and the app id are put in. Its generic auth plugin enforces the
 * SDL's `@requiresScopes` from the `scope` claim of Keygate's tokens.
 */
const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js');

let server: TestServer;
let clock: ManualClock;
let upstream: Server;
let gateway: ChildProcess;
let gatewayUrl: string;
let configDir: string;
let gatewayOutput = '';
const tokens = { valid: '', expired: '', eddsa: '', otherApp: '', refunder: '', narrowed: '' };
let appId: string;
/** Operations the upstream received other than the gateway's readiness checks, as sent. */
const upstreamQueries: string[] = [];

/** A block of docs/token-verifiers.md, verbatim: the first fenced `lang` block that includes `marker`. */
function docsBlock(lang: string, marker: string): string {
  const fence = '```';
  const docs = readFileSync(join(ROOT, 'docs', 'token-verifiers.md'), 'utf8');
  const block = [...docs.matchAll(new RegExp(`${fence}${lang}\n([\\s\\S]*?)${fence}`, 'g'))].find((m) => m[1].includes(marker));
  if (!block) throw new Error(`docs/token-verifiers.md has no ${fence}${lang} block with ${marker}`);
  return block[1];
}

/**
 * The recipe's `upstream.graphql`, given to the gateway and served by the upstream, plus a field
 * that shows the test what the gateway forwarded.
 */
const UPSTREAM_SDL = `${docsBlock('graphql', '@requiresScopes')}\nextend type Query { forwardedClaims: String }\n`;

/** The upstream answers with the claims the gateway forwarded (request extensions `jwt.payload`). */
async function startGraphqlUpstream(): Promise<Server> {
  const schema = buildSchema(UPSTREAM_SDL);
  const upstreamServer = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as { query: string; variables?: Record<string, unknown>; extensions?: { jwt?: { payload?: Record<string, unknown> } } };
      if (!body.query.includes('ReadinessCheck')) upstreamQueries.push(body.query);
      const payload = body.extensions?.jwt?.payload;
      const rootValue = { me: payload?.sub ?? null, forwardedClaims: payload ? JSON.stringify(payload) : null, refundableAmount: 1250 };
      void graphql({ schema, source: body.query, variableValues: body.variables, rootValue }).then((result) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(result));
      });
    });
  });
  await new Promise<void>((resolve) => upstreamServer.listen(0, '127.0.0.1', resolve));
  return upstreamServer;
}

const close = (s: Server | undefined) => new Promise<void>((resolve) => (s ? (s.closeAllConnections(), s.close(() => resolve())) : resolve()));

beforeAll(async () => {
  // Minting starts two hours back, so the first token is already expired on the real clock the
  // gateway reads; the clock then returns to now for the others.
  clock = new ManualClock(new Date(Date.now() - 2 * 3600_000));
  server = await startTestServer({ clock });
  const app = await createApp(server.root, 'hive gateway', { tokenAlgorithm: 'ES256' });
  appId = app.id;
  await server.root.ok(SetAppScopesDocument, { id: appId, scopes: [{ name: 'orders:refund', description: 'Refund orders' }] });
  const key = await createKey(server.root, { appId, role: 'READ_WRITE', mode: 'LIVE' });
  const refunds = await createKey(server.root, { appId, role: 'READ_WRITE', mode: 'LIVE', extra: { scopes: ['orders:refund'] } });
  const mint = async (secret: string, userId: string, tokenLifetime?: number, scopes?: string[]) =>
    (await server.client(secret).ok(SessionAccessDocument, { input: { userId, tokenLifetime, scopes } })).sessionAccess.token;
  tokens.expired = await mint(key.secret, 'expired-user', 60);
  clock.set(new Date());
  tokens.valid = await mint(key.secret, 'hive-user');
  tokens.refunder = await mint(refunds.secret, 'refunder');
  tokens.narrowed = await mint(refunds.secret, 'narrowed', undefined, ['read']);
  const eddsaApp = await createApp(server.root, 'hive gateway EdDSA', { tokenAlgorithm: 'EDDSA' });
  tokens.eddsa = await mint((await createKey(server.root, { appId: eddsaApp.id, role: 'READ_WRITE', mode: 'LIVE' })).secret, 'hive-user');
  const otherApp = await createApp(server.root, 'hive gateway other', { tokenAlgorithm: 'ES256' });
  tokens.otherApp = await mint((await createKey(server.root, { appId: otherApp.id, role: 'READ_WRITE', mode: 'LIVE' })).secret, 'hive-user');

  upstream = await startGraphqlUpstream();
  const config = docsBlock('ts', 'defineConfig')
    .replace('http://your-upstream/graphql', `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/graphql`)
    .replace("issuer: 'https://keygate.example.com'", `issuer: '${server.keygate.runtime.issuer}'`)
    .replace('https://keygate.example.com', server.baseUrl)
    .replace('your-app-id', appId);
  // Inside node_modules, so that the config's import of @graphql-hive/gateway resolves.
  const cache = join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  configDir = mkdtempSync(join(cache, 'keygate-hive-gateway-'));
  writeFileSync(join(configDir, 'gateway.config.ts'), config);
  writeFileSync(join(configDir, 'upstream.graphql'), UPSTREAM_SDL);

  const port = await freePort();
  gatewayUrl = `http://127.0.0.1:${port}`;
  gateway = spawn(process.execPath, [CLI, 'proxy', '--config-path', join(configDir, 'gateway.config.ts'), '--host', '127.0.0.1', '--port', String(port)], {
    cwd: configDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'production' },
  });
  gateway.stdout?.on('data', (chunk: Buffer) => (gatewayOutput += chunk.toString()));
  gateway.stderr?.on('data', (chunk: Buffer) => (gatewayOutput += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => gateway.once('exit', (code) => resolve(code)));
  // Ready once it answers its health check (it has loaded the upstream's SDL by then).
  const deadline = Date.now() + 30_000;
  for (;;) {
    const early = await Promise.race([exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 200))]);
    if (early !== 'running') throw new Error(`hive-gateway exited (${early}): ${gatewayOutput}`);
    const ready = await fetch(`${gatewayUrl}/readiness`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`hive-gateway did not get ready on ${gatewayUrl}: ${gatewayOutput}`);
  }
});
afterAll(async () => {
  if (gateway && gateway.exitCode === null) {
    const exited = new Promise<boolean>((resolve) => gateway.once('exit', () => resolve(true)));
    gateway.kill('SIGTERM');
    const stopped = await Promise.race([exited, new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
    if (!stopped) gateway.kill('SIGKILL');
  }
  if (configDir) rmSync(configDir, { recursive: true, force: true });
  await close(upstream);
  await server?.close();
});

const ask = (token?: string, query = '{ me forwardedClaims }') =>
  fetch(`${gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ query }),
  });

describe('Hive Gateway JWT plugin with Keygate session tokens (ES256, remote JWKS)', () => {
  it('lets a valid token through, and the upstream receives its claims', async () => {
    const response = await ask(tokens.valid);
    const body = (await response.json()) as { data?: { me: string; forwardedClaims: string }; errors?: unknown };
    expect(body.errors, gatewayOutput).toBeUndefined();
    expect(response.status).toBe(200);
    expect(body.data?.me).toBe('hive-user');
    expect(JSON.parse(body.data?.forwardedClaims ?? '{}')).toMatchObject({ sub: 'hive-user', aud: appId, iss: server.keygate.runtime.issuer, mode: 'LIVE' });
  });

  for (const [what, token] of [
    ['an expired token', () => tokens.expired],
    ['a token with a broken signature', () => `${tokens.valid.slice(0, -4)}${tokens.valid.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`],
    ["another app's token (audience)", () => tokens.otherApp],
    ['an EdDSA token (jsonwebtoken 9 has no Ed25519)', () => tokens.eddsa],
    ['no token', () => undefined],
  ] as const) {
    it(`refuses ${what} with 401 before the upstream is asked`, async () => {
      const before = upstreamQueries.length;
      const response = await ask(token());
      const body = (await response.json()) as { data?: unknown; errors?: Array<{ message: string }> };
      expect(response.status).toBe(401);
      expect(upstreamQueries.length).toBe(before);
      expect(body.data ?? null).toBeNull();
      expect(body.errors?.length).toBeGreaterThan(0);
    });
  }
});

type ScopedAnswer = {
  data?: { me: string | null; refundableAmount: number | null; forwardedClaims: string | null } | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string } }>;
};
const askForRefund = async (token: string) => {
  const response = await ask(token, '{ me refundableAmount forwardedClaims }');
  return { status: response.status, body: (await response.json()) as ScopedAnswer };
};
const scopeClaim = (body: ScopedAnswer) => (JSON.parse(body.data?.forwardedClaims ?? '{}') as { scope?: string }).scope?.split(' ');

describe('Hive Gateway @requiresScopes from the scope claim of Keygate session tokens', () => {
  it('answers a field requiring orders:refund to a token of a key granted orders:refund', async () => {
    const { status, body } = await askForRefund(tokens.refunder);
    expect(body.errors, gatewayOutput).toBeUndefined();
    expect(status).toBe(200);
    expect(body.data).toMatchObject({ me: 'refunder', refundableAmount: 1250 });
    expect(scopeClaim(body)).toContain('orders:refund');
  });

  for (const [what, token, user] of [
    ['a token narrowed to read by a key granted orders:refund', () => tokens.narrowed, 'narrowed'],
    ['a token of a key not granted orders:refund', () => tokens.valid, 'hive-user'],
  ] as const) {
    it(`refuses the field to ${what}, answers the rest, and never sends the field upstream`, async () => {
      const before = upstreamQueries.length;
      const { status, body } = await askForRefund(token());
      // The plugin's error carries `http.status: 401`, and the gateway answers the operation with it.
      expect(status).toBe(401);
      expect(body.data).toMatchObject({ me: user, refundableAmount: null });
      expect(scopeClaim(body)).toContain('read');
      expect(scopeClaim(body)).not.toContain('orders:refund');
      expect(body.errors).toEqual([
        expect.objectContaining({ message: 'Unauthorized field or type', path: ['refundableAmount'], extensions: expect.objectContaining({ code: 'UNAUTHORIZED_FIELD_OR_TYPE' }) }),
      ]);
      expect(upstreamQueries.slice(before)).toHaveLength(1);
      expect(upstreamQueries.at(-1)).toContain('forwardedClaims');
      expect(upstreamQueries.at(-1)).not.toContain('refundableAmount');
    });
  }
});
