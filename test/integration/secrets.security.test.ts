import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../src/modules/auth/key-format';
import { AuditEventsDocument, CompleteRotationDocument, DeleteAppDocument, RotateApiKeyDocument, RevokeApiKeyDocument, UpdateApiKeyDocument, UpdateAppDocument, ViewerDocument } from '../generated/graphql';
import { createApp, createKey, type KeySpec } from '../helpers/fixtures';
import { codeOf, reasonOf } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * Secrets at rest and in logs (DESIGN.md "Key format", "Errors"): a secret or root key is
 * stored only as its HMAC-SHA-256 (`hash`) plus a display `start`; publishable keys are
 * public. After a realistic scenario, no secret or root key value (nor any part of one
 * beyond its `start`) is found in any row of any table, in any log line or in the audit
 * trail, and key hashes are found only in the `hash` columns of api_keys and root_keys.
 */

let server: TestServer;
/** Secret and root key values, including revoked ones and ones of deleted apps. */
const secrets: string[] = [];
/** Every credential string a request presented, valid or not (publishable keys excluded: they are public). */
const presented = new Set<string>();
/** Every key that exists, for the hash-column check. */
const created: { id: string; value: string }[] = [];

async function newKey(spec: KeySpec, by = server.root) {
  const key = await createKey(by, spec);
  created.push({ id: key.id, value: key.secret });
  if (key.kind === 'SECRET') secrets.push(key.secret);
  return key;
}

function withKey(key: string, headers?: Record<string, string>) {
  if (!key.includes('pk_')) presented.add(key);
  return server.client(key, headers);
}

/** The scenario: everything a key goes through, including failures that tend to end up in logs. */
async function runScenario() {
  secrets.push(server.rootKey);
  presented.add(server.rootKey);
  const app = await createApp(server.root, 'Secrets app', { allowedOrigins: ['https://shop.example.com'] });
  const doomed = await createApp(server.root, 'Doomed app');

  const readOnly = await newKey({ appId: app.id, role: 'READ_ONLY', name: 'reader' });
  const readWrite = await newKey({ appId: app.id, role: 'READ_WRITE', name: 'writer' });
  const admin = await newKey({ appId: app.id, role: 'ADMIN', name: 'admin' });
  const liveAdmin = await newKey({ appId: app.id, role: 'ADMIN', mode: 'LIVE', name: 'live admin' });
  const publishable = await newKey({ appId: app.id, kind: 'PUBLISHABLE', name: 'web' });

  // Use every key.
  for (const k of [readOnly, readWrite, admin, liveAdmin]) await withKey(k.secret).ok(ViewerDocument);
  await withKey(publishable.secret, { origin: 'https://shop.example.com' }).ok(ViewerDocument);
  expect(codeOf(await withKey(readOnly.secret).request(AuditEventsDocument, { appId: app.id }))).toBe('FORBIDDEN');
  await withKey(readOnly.secret).raw(`query($id: ID!) { app(id: $id) { apiKeys { nodes { id start publishableKey } } } }`, { id: app.id });
  await newKey({ appId: app.id, kind: 'PUBLISHABLE', name: 'made by writer' }, withKey(readWrite.secret));
  expect(codeOf(await withKey(readWrite.secret).raw(`mutation { createApiKey(input: { appId: "${app.id}", name: "x", kind: SECRET, mode: TEST, role: ADMIN }) { secret } }`))).toBe('FORBIDDEN');
  const madeByAdmin = await newKey({ appId: app.id, role: 'READ_ONLY', name: 'made by admin' }, withKey(admin.secret));
  await withKey(admin.secret).ok(UpdateApiKeyDocument, { id: madeByAdmin.id, input: { name: 'renamed by admin' } });
  await withKey(liveAdmin.secret).ok(UpdateAppDocument, { id: app.id, input: { name: 'Secrets app (renamed)' } });
  await withKey(admin.secret).ok(RevokeApiKeyDocument, { id: readOnly.id, reason: 'rotated out' });
  const rotated = (await withKey(admin.secret).ok(RotateApiKeyDocument, { id: madeByAdmin.id, gracePeriodSeconds: 600 })).rotateApiKey;
  created.push({ id: rotated.rotation.newKey.id, value: rotated.secret });
  secrets.push(rotated.secret);
  await withKey(madeByAdmin.secret).ok(ViewerDocument); // still inside its grace period
  await withKey(rotated.secret).ok(ViewerDocument);
  await withKey(admin.secret).ok(CompleteRotationDocument, { id: rotated.rotation.id });
  expect(reasonOf(await withKey(madeByAdmin.secret).request(ViewerDocument))).toBe('KEY_REVOKED');
  await withKey(liveAdmin.secret).ok(AuditEventsDocument, { appId: app.id });

  // Refusals and failed authentications, with real keys and with garbage.
  expect(reasonOf(await withKey(readOnly.secret).request(ViewerDocument))).toBe('KEY_REVOKED');
  expect(reasonOf(await withKey(admin.secret, { origin: 'https://evil.example' }).request(ViewerDocument))).toBe('SECRET_KEY_IN_BROWSER');
  expect(reasonOf(await withKey(publishable.secret, { origin: 'https://evil.example' }).request(ViewerDocument))).toBe('ORIGIN_NOT_ALLOWED');
  const flipped = admin.secret.slice(0, 12) + (admin.secret[12] === 'A' ? 'B' : 'A') + admin.secret.slice(13);
  expect(reasonOf(await withKey(flipped).request(ViewerDocument))).toBe('KEY_MALFORMED');
  expect(reasonOf(await withKey('sk_test_garbage').request(ViewerDocument))).toBe('KEY_MALFORMED');
  const unknown = generateKey({ type: 'app', kind: 'sk', mode: 'live' }, undefined).value;
  expect(reasonOf(await withKey(unknown).request(ViewerDocument))).toBe('KEY_INVALID');
  const unknownRoot = generateKey({ type: 'root' }, undefined).value;
  expect(reasonOf(await withKey(unknownRoot).request(ViewerDocument))).toBe('KEY_INVALID');
  expect(reasonOf(await server.client(undefined, { authorization: `Basic ${liveAdmin.secret}` }).request(ViewerDocument))).toBe('KEY_MALFORMED');
  expect(reasonOf(await server.client(undefined, { authorization: `Token ${server.rootKey}` }).request(ViewerDocument))).toBe('KEY_MALFORMED');
  // A key pasted where an id or a query belongs.
  expect(codeOf(await server.root.raw(`query($id: ID!) { apiKey(id: $id) { id } }`, { id: admin.secret }))).toBe('NOT_FOUND');
  expect(codeOf(await server.root.raw(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: liveAdmin.secret }))).toBe('NOT_FOUND');
  expect(codeOf(await server.root.raw(`{ apiKey(id: ${admin.secret}) { id } }`))).toBe('GRAPHQL_VALIDATION_FAILED');
  expect((await server.root.raw(`{ apiKey(id: "${admin.secret}" { id } }`)).status).toBe(400);

  // An app with working keys is deleted; its keys stop working.
  const doomedAdmin = await newKey({ appId: doomed.id, role: 'ADMIN', mode: 'LIVE', name: 'doomed admin' });
  await newKey({ appId: doomed.id, kind: 'PUBLISHABLE', name: 'doomed web' });
  await withKey(doomedAdmin.secret).ok(ViewerDocument);
  await server.root.ok(DeleteAppDocument, { id: doomed.id });
  expect(reasonOf(await withKey(doomedAdmin.secret).request(ViewerDocument))).toBe('KEY_REVOKED');
  return { appIds: [app.id, doomed.id] };
}

let appIds: string[];
beforeAll(async () => {
  server = await startTestServer();
  ({ appIds } = await runScenario());
});
afterAll(() => server?.close());

const hash = (value: string) => server.keygate.runtime.hasher.hash(value);

/** Pieces of a key that must never show up: the whole value and every 12-character window of its body after `start`. */
function fragmentsOf(value: string): string[] {
  const hidden = value.slice(value.lastIndexOf('_') + 1 + 4);
  const out = [value];
  for (let i = 0; i + 12 <= hidden.length; i++) out.push(hidden.slice(i, i + 12));
  return out;
}

/** Names the secret (by its start) whose value or fragment occurs in `text`, if any. */
function secretIn(text: string): string | undefined {
  const found = secrets.concat([...presented]).find((s) => fragmentsOf(s).some((f) => text.includes(f)));
  return found && found.slice(0, found.lastIndexOf('_') + 5);
}

async function sql(query: string): Promise<Record<string, unknown>[]> {
  return server.keygate.runtime.orm.em.fork().getConnection().execute(query);
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `${value.toString('hex')} ${value.toString('utf8')}`;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Every cell of every table, as { where: "table.column", text }. */
async function everyCell(): Promise<{ where: string; text: string }[]> {
  const tables = (
    server.database.config.dialect === 'sqlite'
      ? await sql(`select name from sqlite_master where type = 'table'`)
      : await sql(`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`)
  ).map((row) => String(row.name));
  expect(tables).toEqual(expect.arrayContaining(['apps', 'api_keys', 'root_keys', 'audit_events', 'rotations']));
  const cells: { where: string; text: string }[] = [];
  for (const table of tables) {
    for (const row of await sql(`select * from "${table}"`)) {
      for (const [column, value] of Object.entries(row)) cells.push({ where: `${table}.${column}`, text: cellText(value) });
    }
  }
  return cells;
}

describe('after the scenario', () => {
  it('stores each key as exactly its HMAC (so the searches below look for the right strings)', async () => {
    const rows = await sql(`select id, hash from api_keys`);
    expect(Object.fromEntries(rows.map((r) => [r.id, r.hash]))).toEqual(Object.fromEntries(created.map((k) => [k.id, hash(k.value)])));
    expect((await sql(`select hash from root_keys`)).map((r) => r.hash)).toEqual([hash(server.rootKey)]);
    expect(secrets.length).toBe(8);
  });

  it('no row of any table holds a secret or root key value, or any fragment of one beyond its start', async () => {
    const cells = await everyCell();
    expect(cells.length).toBeGreaterThan(100);
    const leaks = cells.map((c) => [c.where, secretIn(c.text)]).filter(([, s]) => s);
    expect(leaks).toEqual([]);
  });

  it('key hashes occur only in api_keys.hash and root_keys.hash, never in audit_events or elsewhere', async () => {
    const cells = await everyCell();
    const allowed = new Set(['api_keys.hash', 'root_keys.hash']);
    const hashes = [...created.map((k) => k.value), ...presented].map(hash);
    const misplaced = cells.filter((c) => !allowed.has(c.where) && hashes.some((h) => c.text.toLowerCase().includes(h.slice(0, 16)) || c.text.toLowerCase().includes(h.slice(-16))));
    expect(misplaced.map((c) => c.where)).toEqual([]);
    expect(cells.filter((c) => c.where === 'audit_events.id').length).toBeGreaterThanOrEqual(10);
  });

  it('the server logs hold no key value, no fragment of one and no key hash', () => {
    expect(server.logs.some((line) => line.includes('"status":401'))).toBe(true);
    const hashes = [...created.map((k) => k.value), ...presented].map(hash);
    const leaks = server.logs.filter((line) => secretIn(line) || hashes.some((h) => line.toLowerCase().includes(h.slice(0, 16))));
    expect(leaks).toEqual([]);
  });

  it('the auditEvents query output holds no key value, no fragment of one and no key hash', async () => {
    const hashes = [...created.map((k) => k.value), ...presented].map(hash);
    const outputs: string[] = [];
    for (const appId of appIds) {
      for (const mode of [null, 'TEST', 'LIVE'] as const) {
        const data = await server.root.ok(AuditEventsDocument, { appId, mode, first: 100 });
        outputs.push(JSON.stringify(data));
      }
    }
    const all = outputs.join('\n');
    for (const action of ['app.create', 'app.update', 'app.delete', 'key.create', 'key.update', 'key.revoke', 'key.rotate', 'rotation.complete']) {
      expect(all).toContain(`"action":"${action}"`);
    }
    expect(secretIn(all)).toBeUndefined();
    expect(hashes.filter((h) => all.toLowerCase().includes(h.slice(0, 16)))).toEqual([]);
  });
});

describe('a key pasted where no credential belongs', () => {
  it('reaches no log line when it is in the URL path or query string (paths are logged)', async () => {
    const leaked = secrets[secrets.length - 1];
    const from = server.logs.length;
    await fetch(`${server.baseUrl}/${leaked}`);
    await fetch(`${server.baseUrl}/graphql/${leaked}?key=${leaked}`, { headers: { authorization: `Bearer ${server.rootKey}` } });
    await fetch(`${server.baseUrl}/auth/verify?key=${leaked}`);
    const lines = server.logs.slice(from);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.filter((line) => line.includes(leaked.slice(-20)))).toEqual([]);
  });

  it('reaches no log line, no table and no audit event when it is sent as X-Request-Id', async () => {
    const leaked = secrets[secrets.length - 1];
    const from = server.logs.length;
    const result = await server.client(server.rootKey, { 'x-request-id': leaked }).raw(
      `mutation($id: ID!, $input: UpdateAppInput!) { updateApp(id: $id, input: $input) { id } }`,
      { id: appIds[0], input: { name: 'Secrets app (again)' } },
    );
    expect(result.errors).toBeUndefined();
    expect(server.logs.slice(from).filter((line) => line.includes(leaked.slice(-20)))).toEqual([]);
    expect((await everyCell()).filter((c) => c.text.includes(leaked.slice(-20))).map((c) => c.where)).toEqual([]);
    const audit = await server.root.raw(`query($id: ID!) { auditEvents(appId: $id, first: 100) { nodes { requestId } } }`, { id: appIds[0] });
    expect(JSON.stringify(audit)).not.toContain(leaked.slice(-20));
  });
});
