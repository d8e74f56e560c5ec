import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import sqlite3 from 'sqlite3';
import type { DatabaseConfig } from '../../src/config';
import type { ScratchDatabase } from '../../src/database/scratch-database';
import { BIN, type Launcher, type ServerProcess, startServerProcess } from './server-process';
import { createTestDatabase } from './test-database';

/**
 * Shared plumbing for suites that run the compiled server as a real process
 * (`node dist/main.js`) and restart it on the same database: a scratch database, a
 * master key, a root key from `keygate bootstrap`, exit tracking, and plain SQL
 * access to the rows (no ORM entities involved, so nothing is hidden by mappings).
 */

export interface ProcessDatabase {
  database: ScratchDatabase;
  dialect: DatabaseConfig['dialect'];
  /** The environment every process on this database gets. */
  env: NodeJS.ProcessEnv;
  masterKey: string;
  /** From `keygate bootstrap`. */
  rootKey: string;
  /** A working directory for the processes (no data/ of the repo is touched). */
  cwd: string;
  drop(): Promise<void>;
}

export async function prepareProcessDatabase(extraEnv: NodeJS.ProcessEnv = {}): Promise<ProcessDatabase> {
  const database = await createTestDatabase();
  const url = database.config.dialect === 'sqlite' ? `sqlite:${database.config.file}` : database.config.url;
  const masterKey = randomBytes(32).toString('base64');
  const env: NodeJS.ProcessEnv = { NODE_ENV: 'test', DATABASE_URL: url, KEYGATE_MASTER_KEY: masterKey, LOG_LEVEL: 'info', ...extraEnv };
  const bootstrap = spawnSync(process.execPath, [BIN, 'bootstrap'], { env: { ...env, PATH: process.env.PATH }, encoding: 'utf8', timeout: 60_000 });
  if (bootstrap.status !== 0) throw new Error(`keygate bootstrap failed (${bootstrap.status}): ${bootstrap.stderr}`);
  const rootKey = bootstrap.stdout.trim();
  const cwd = mkdtempSync(join(tmpdir(), 'keygate-proc-'));
  return {
    database,
    dialect: database.config.dialect,
    env,
    masterKey,
    rootKey,
    cwd,
    async drop() {
      rmSync(cwd, { recursive: true, force: true });
      await database.drop();
    },
  };
}

export interface TrackedProcess extends ServerProcess {
  /** Resolves with how the process ended (also if it already has). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  port: number;
}

export async function startTracked(db: ProcessDatabase, extraEnv: NodeJS.ProcessEnv = {}, launcher?: Launcher): Promise<TrackedProcess> {
  const server = await startServerProcess(db.cwd, { ...db.env, ...extraEnv }, launcher);
  const { child } = server;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode, at: performance.now() });
    else child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() }));
  });
  return Object.assign(server, { exited, port: Number(new URL(server.baseUrl).port) });
}

/** Kills a process if it still runs (cleanup after a failed test); never throws. */
export async function ensureStopped(server: TrackedProcess | undefined): Promise<void> {
  if (!server) return;
  const { child } = server;
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await server.exited;
}

export interface SqlReader {
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/**
 * Plain SQL: `pg` on PostgreSQL, the `sqlite3` driver (the one MikroORM uses) on
 * SQLite, opened read-only unless told otherwise.
 */
export async function openSql(db: ProcessDatabase | ScratchDatabase, options: { writable?: boolean } = {}): Promise<SqlReader> {
  const config = 'database' in db ? db.database.config : db.config;
  if (config.dialect === 'postgresql') {
    const client = new Client({ connectionString: config.url });
    await client.connect();
    return { query: async (sql) => (await client.query(sql)).rows, close: () => client.end() };
  }
  const handle = await new Promise<sqlite3.Database>((resolve, reject) => {
    const mode = options.writable ? sqlite3.OPEN_READWRITE : sqlite3.OPEN_READONLY;
    const opened: sqlite3.Database = new sqlite3.Database(config.file, mode, (error) => (error ? reject(error) : resolve(opened)));
  });
  // Wait for the server's own transactions instead of failing with SQLITE_BUSY.
  handle.configure('busyTimeout', 10_000);
  return {
    query: (sql) => new Promise((resolve, reject) => handle.all(sql, (error, rows) => (error ? reject(error) : resolve(rows as Record<string, unknown>[])))),
    close: () => new Promise((resolve, reject) => handle.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** Names of the application's tables (migration bookkeeping excluded). */
export async function tableNames(sql: SqlReader, dialect: DatabaseConfig['dialect']): Promise<string[]> {
  const rows =
    dialect === 'sqlite'
      ? await sql.query(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`)
      : await sql.query(`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`);
  return rows.map((r) => String(r.name)).filter((n) => n !== 'keygate_migrations');
}

/** A JSON column as an object (jsonb on PostgreSQL, text on SQLite). */
export function jsonCell(value: unknown): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return JSON.parse(value) as Record<string, unknown>;
  return value as Record<string, unknown>;
}

export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  text: string;
}

/** One GraphQL POST; never throws for a GraphQL error (a network error does throw). */
export async function gql<T = Record<string, any>>(url: string, key: string | undefined, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GqlResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  const body = JSON.parse(text) as { data?: T | null; errors?: GqlResponse['errors'] };
  return { status: response.status, data: body.data, errors: body.errors, text };
}

/** Like gql(), but throws unless the response is a 200 with data and no errors. */
export async function gqlOk<T = Record<string, any>>(url: string, key: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const result = await gql<T>(url, key, query, variables);
  if (result.status !== 200 || result.errors?.length || !result.data) throw new Error(`GraphQL request failed (${result.status}): ${result.text}`);
  return result.data;
}

/** Every audit event of an app (root view: both modes and app-level), oldest first. */
export async function allAuditEvents(url: string, rootKey: string, appId: string): Promise<AuditEventRow[]> {
  const events: AuditEventRow[] = [];
  let after: string | null = null;
  for (let page = 0; page < 100; page++) {
    const data: { auditEvents: { nodes: AuditEventRow[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await gqlOk(
      url,
      rootKey,
      `query($appId: ID!, $after: String) { auditEvents(appId: $appId, first: 100, after: $after) {
         nodes { id at appId mode actorType actorId action targetId ip requestId details }
         pageInfo { hasNextPage endCursor } } }`,
      { appId, after },
    );
    events.push(...data.auditEvents.nodes);
    if (!data.auditEvents.pageInfo.hasNextPage) return events.reverse();
    after = data.auditEvents.pageInfo.endCursor;
  }
  throw new Error('more than 10000 audit events: unexpected');
}

export interface AuditEventRow {
  id: string;
  at: string;
  appId: string | null;
  mode: 'LIVE' | 'TEST' | null;
  actorType: 'ROOT' | 'API_KEY' | 'SYSTEM';
  actorId: string | null;
  action: string;
  targetId: string | null;
  ip: string | null;
  requestId: string | null;
  details: Record<string, unknown> | null;
}

/** GET with a bearer key; returns status and parsed JSON body (or null). */
export async function getJson(url: string, key?: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any; text: string }> {
  const response = await fetch(url, { headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers }, signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: response.status, body, text };
}

/** Waits until `predicate` holds, polling; false after `limitMs`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, limitMs: number, everyMs = 20): Promise<boolean> {
  const deadline = performance.now() + limitMs;
  for (;;) {
    if (await predicate()) return true;
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
