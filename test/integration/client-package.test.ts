import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, createKey } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * `@keygate/client` is a package of its own: `npm pack` in packages/client makes a tarball
 * with compiled JavaScript and type declarations, which a fresh project installs (no
 * registry needed: it has no dependencies), typechecks against and runs — here, keeping a
 * token from a real Keygate fresh.
 */

const run = promisify(execFile);
const PACKAGE_DIR = resolve(__dirname, '../../packages/client');
const TSC = resolve(__dirname, '../../node_modules/typescript/bin/tsc');

let server: TestServer;
let scratch: string;
let tarball: string;

beforeAll(async () => {
  server = await startTestServer();
  scratch = mkdtempSync(join(tmpdir(), 'keygate-client-'));
  const packed = await run('npm', ['pack', '--pack-destination', scratch, '--json'], { cwd: PACKAGE_DIR, timeout: 120_000 });
  tarball = join(scratch, (JSON.parse(packed.stdout) as { filename: string }[])[0].filename);
  const project = join(scratch, 'app');
  await run('mkdir', ['-p', project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, version: '1.0.0' }));
  await run('npm', ['install', tarball, '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: project, timeout: 120_000 });
}, 240_000);

afterAll(async () => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  await server?.close();
});

describe('the @keygate/client tarball', () => {
  it('holds compiled JavaScript, type declarations, the README and package.json, and no sources', async () => {
    const { stdout } = await run('tar', ['tzf', tarball]);
    expect(stdout.trim().split('\n').sort()).toEqual(
      ['package/README.md', 'package/dist/index.d.ts', 'package/dist/index.js', 'package/dist/session-token-manager.d.ts', 'package/dist/session-token-manager.js', 'package/package.json'].sort(),
    );
  });

  it('installs into a fresh project, with no dependencies of its own', () => {
    expect(readdirSync(join(scratch, 'app', 'node_modules')).sort()).toEqual(['.package-lock.json', '@keygate']);
  });

  it('typechecks in a TypeScript project (strict, node16 resolution), and its types are real', async () => {
    const project = join(scratch, 'app');
    writeFileSync(
      join(project, 'check.ts'),
      `import { SessionTokenManager, type SessionTokenInfo } from '@keygate/client';
const manager = new SessionTokenManager({ fetchToken: async () => ({ token: 't', expiresAt: new Date(), refreshAt: new Date() }) });
const token: Promise<string> = manager.getToken();
manager.on('refreshed', (info: SessionTokenInfo) => info.expiresAt.getTime());
// @ts-expect-error fetchToken is required
new SessionTokenManager({});
void token;
`,
    );
    const result = await run(process.execPath, [TSC, '--strict', '--noEmit', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022', 'check.ts'], { cwd: project }).catch((error: { stdout: string }) => error);
    expect('stdout' in result ? result.stdout : '').toBe('');
  }, 60_000);

  it('runs in Node: keeps a session token from a real Keygate', async () => {
    const appId = (await createApp(server.root, 'Client package app')).id;
    const key = await createKey(server.root, { appId, role: 'READ_WRITE', mode: 'LIVE' });
    const project = join(scratch, 'app');
    writeFileSync(
      join(project, 'run.js'),
      `const { SessionTokenManager } = require('@keygate/client');
const manager = new SessionTokenManager({
  fetchToken: async () => {
    const response = await fetch(process.env.KEYGATE + '/session_access', {
      method: 'POST',
      headers: { authorization: 'Bearer ' + process.env.KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'user-7', token_lifetime: 600 }),
    });
    const body = await response.json();
    return { token: body.token, tokenId: body.token_id, expiresAt: body.expires_at, refreshAt: body.refresh_at };
  },
});
manager.getToken().then((token) => {
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  console.log(JSON.stringify({ sub: claims.sub, aud: claims.aud }));
  manager.dispose();
});
`,
    );
    const { stdout } = await run(process.execPath, ['run.js'], { cwd: project, env: { PATH: process.env.PATH, KEYGATE: server.baseUrl, KEY: key.secret } });
    expect(JSON.parse(stdout)).toEqual({ sub: 'user-7', aud: appId });
  }, 60_000);
});
