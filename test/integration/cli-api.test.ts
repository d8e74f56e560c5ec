import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, runCli } from '../helpers/server-process';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * The everyday command line against a real running server: `keygate apps|keys|root-keys|audit`
 * over the public GraphQL API. Tables for people, --json for scripts, and exit codes
 * scripts can rely on: 0 done, 1 the server refused (its code on stderr), 2 wrong usage.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const keygate = (args: string[], env?: NodeJS.ProcessEnv): Promise<CliRun> => runCli(server, args, env);

async function json<T = any>(args: string[], env?: NodeJS.ProcessEnv): Promise<T> {
  const run = await keygate([...args, '--json'], env);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
}

describe('keygate apps', () => {
  it('creates an app and lists it, as a table and as JSON', async () => {
    const created = await json<{ id: string; name: string }>(['apps', 'create', 'CLI shop']);
    expect(created).toMatchObject({ id: expect.stringMatching(/^app_/), name: 'CLI shop' });
    const listed = await json<{ id: string }[]>(['apps', 'list']);
    expect(listed.map((a) => a.id)).toContain(created.id);
    const table = await keygate(['apps', 'list']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+CREATED\s+ALLOWED ORIGINS$/);
    expect(lines.find((l) => l.startsWith(created.id))).toMatch(/CLI shop/);
  });
});

describe('keygate keys', () => {
  it('creates, lists, rotates and revokes keys', async () => {
    const app = await json<{ id: string }>(['apps', 'create', 'CLI keys']);
    const created = await json<{ secret: string; apiKey: { id: string; kind: string; mode: string; role: string } }>(
      ['keys', 'create', '--app', app.id, '--name', 'backend', '--kind', 'secret', '--role', 'admin', '--mode', 'live'],
    );
    expect(created.secret).toMatch(/^sk_live_/);
    expect(created.apiKey).toMatchObject({ kind: 'SECRET', mode: 'LIVE', role: 'ADMIN' });

    // The new key works with the CLI too (KEYGATE_API_KEY), within its own app and mode.
    const asKey = { KEYGATE_API_KEY: created.secret };
    const web = await json<{ apiKey: { id: string; mode: string } }>(['keys', 'create', '--app', app.id, '--name', 'web', '--kind', 'publishable', '--mode', 'live'], asKey);
    expect(web.apiKey.mode).toBe('LIVE');
    const live = await json<{ id: string; status: string }[]>(['keys', 'list', '--app', app.id, '--mode', 'live']);
    expect(live.map((k) => k.id).sort()).toEqual([created.apiKey.id, web.apiKey.id].sort());
    expect(await json(['keys', 'list', '--app', app.id, '--mode', 'test'])).toEqual([]);

    const rotated = await json<{ secret: string; rotation: { oldKey: { id: string }; newKey: { id: string } } }>(['keys', 'rotate', web.apiKey.id, '--grace', '0']);
    expect(rotated.rotation.oldKey.id).toBe(web.apiKey.id);
    const revoked = await json<{ id: string; status: string; revokedReason: string }>(['keys', 'revoke', rotated.rotation.newKey.id, '--reason', 'cli test']);
    expect(revoked).toMatchObject({ id: rotated.rotation.newKey.id, status: 'REVOKED', revokedReason: 'cli test' });

    const table = await keygate(['keys', 'list', '--app', app.id]);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+KIND\s+MODE\s+ROLE\s+STATUS\s+START\s+LAST USED$/);
    expect(table.stdout).toContain('REVOKED');
    expect(table.stdout).not.toContain(created.secret);
  });

  it('prints a created secret once in the human output, after the key details', async () => {
    const app = await json<{ id: string }>(['apps', 'create', 'CLI human']);
    const run = await keygate(['keys', 'create', '--app', app.id, '--name', 'reader', '--kind', 'secret', '--role', 'read_only']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ID\s+key_/);
    expect(run.stdout).toMatch(/Secret \(shown only this once; store it now\):\n\n {2}sk_test_[0-9A-Za-z]+\n$/);
  });
});

describe('keygate root-keys', () => {
  it('creates, lists and revokes a root key; the last working one is refused with CONFLICT and exit 1', async () => {
    const created = await json<{ secret: string; rootKey: { id: string; name: string } }>(['root-keys', 'create', '--name', 'ci']);
    expect(created.secret).toMatch(/^rk_/);
    expect((await json<{ id: string }[]>(['root-keys', 'list'])).map((k) => k.id)).toContain(created.rootKey.id);
    const revoked = await json<{ revokedAt: string | null }>(['root-keys', 'revoke', created.rootKey.id]);
    expect(revoked.revokedAt).toEqual(expect.any(String));
    const own = (await json<{ id: string; revokedAt: string | null }[]>(['root-keys', 'list'])).filter((k) => k.revokedAt === null);
    expect(own).toHaveLength(1);
    const last = await keygate(['root-keys', 'revoke', own[0].id]);
    expect(last).toMatchObject({ code: 1, stdout: '' });
    expect(last.stderr).toBe('keygate: CONFLICT: This is the last working root key: create another one before revoking it\n');
  });
});

describe('keygate audit tail', () => {
  it('shows the latest events of an app, oldest first', async () => {
    const app = await json<{ id: string }>(['apps', 'create', 'CLI audit']);
    await json(['keys', 'create', '--app', app.id, '--name', 'one', '--kind', 'publishable']);
    const events = await json<{ action: string }[]>(['audit', 'tail', '--app', app.id]);
    expect(events.map((e) => e.action)).toEqual(['app.create', 'key.create']);
    expect(await json(['audit', 'tail', '--app', app.id, '-n', '1'])).toMatchObject([{ action: 'key.create' }]);
    const table = await keygate(['audit', 'tail', '--app', app.id]);
    expect(table.stdout.split('\n')[0]).toMatch(/^AT\s+ACTION\s+MODE\s+ACTOR\s+TARGET\s+IP\s+DETAILS$/);
  });
});

describe('exit codes and errors', () => {
  it('exits 1 with the server error code on stderr when the server refuses', async () => {
    const unknown = await keygate(['keys', 'revoke', 'key_doesnotexist']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^keygate: NOT_FOUND: /);
    const badKey = await keygate(['apps', 'list'], { KEYGATE_API_KEY: 'sk_live_nope' });
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/^keygate: UNAUTHENTICATED \(KEY_MALFORMED\): /);
    expect(badKey.stderr).not.toContain('sk_live_nope');
  });

  it('exits 1 when the server cannot be reached', async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    await new Promise((r) => probe.close(r));
    const run = await keygate(['apps', 'list', '--url', `http://127.0.0.1:${port}`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`keygate: UNREACHABLE: cannot reach http://127.0.0.1:${port}/graphql (ECONNREFUSED)\n`);
  });

  it.each([
    ['no key', ['apps', 'list'], { KEYGATE_API_KEY: '' }, /no API key: pass --key <key> or set KEYGATE_API_KEY/],
    ['a missing required option', ['keys', 'list'], {}, /required option '--app <id>' not specified/],
    ['a value outside the choices', ['keys', 'create', '--app', 'a', '--name', 'n', '--kind', 'secret', '--mode', 'prod'], {}, /--mode <mode>' argument 'prod' is invalid/],
    ['a bad number', ['keys', 'rotate', 'key_x', '--grace', 'soon'], {}, /must be a whole number of seconds/],
    ['an unknown command', ['keys', 'explode'], {}, /unknown command 'explode'/],
    ['an unknown option', ['apps', 'list', '--colour'], {}, /unknown option '--colour'/],
  ])('exits 2 for wrong usage: %s', async (_label, args, env, message) => {
    const run = await keygate(args, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it.each([[['--help']], [['keys', '--help']], [['keys', 'create', '--help']], [['root-keys', 'revoke', '--help']], [['audit', 'tail', '--help']]])('prints help and exits 0: keygate %j', async (args) => {
    const run = await keygate(args);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: keygate/);
  });
});
