import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/server-process';
import { type TestServer, startTestServer } from '../helpers/test-server';

/** `keygate apps scopes set` and `keygate keys create --scope` against a real running server (DESIGN.md "Scopes"). */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const keygate = (args: string[]) => runCli(server, args);

describe('keygate scopes', () => {
  it('declares an app’s scopes (name[:description]), grants them with --scope, and refuses an undeclared one', async () => {
    const app = JSON.parse((await keygate(['apps', 'create', 'CLI scopes', '--json'])).stdout) as { id: string };
    const set = await keygate(['apps', 'scopes', 'set', '--app', app.id, 'orders:read', 'orders:refund:Refund an order']);
    expect(set.code, set.stderr).toBe(0);
    const lines = set.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SCOPE\s+DESCRIPTION$/);
    expect(lines.slice(1).map((l) => l.trimEnd())).toEqual([expect.stringMatching(/^orders:read\s+-$/), expect.stringMatching(/^orders:refund\s+Refund an order$/)]);

    const created = await keygate(['keys', 'create', '--app', app.id, '--name', 'refunds', '--kind', 'secret', '--role', 'read_only', '--scope', 'orders:refund', '--scope', 'orders:read', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const { apiKey, secret } = JSON.parse(created.stdout) as { apiKey: { scopes: string[] }; secret: string };
    expect(apiKey.scopes).toEqual(['orders:read', 'orders:refund']);
    const verified = await fetch(`${server.baseUrl}/auth/verify`, { headers: { authorization: `Bearer ${secret}` } });
    expect(((await verified.json()) as { scopes: string[] }).scopes).toEqual(['orders:read', 'orders:refund', 'public', 'read']);

    const undeclared = await keygate(['keys', 'create', '--app', app.id, '--name', 'x', '--kind', 'secret', '--role', 'read_only', '--scope', 'orders:delete']);
    expect(undeclared.code).toBe(1);
    expect(undeclared.stderr).toContain('BAD_USER_INPUT: Scope "orders:delete" is not declared by this app');

    const cleared = await keygate(['apps', 'scopes', 'set', '--app', app.id, '--json']);
    expect(JSON.parse(cleared.stdout)).toEqual([]);
  });
});
