import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { SqliteDriver } from '@mikro-orm/sqlite';
import type { DatabaseConfig } from '../config';
import { postgresqlMigrations } from '../migrations/postgresql';
import { sqliteMigrations } from '../migrations/sqlite';
import { ENTITIES } from './entities';

export type Orm = MikroORM;

/** Where `keygate migration:create` writes new migration files (source tree). */
export function migrationsSourceDir(dialect: DatabaseConfig['dialect']): string {
  return join(__dirname, '..', '..', 'src', 'migrations', dialect);
}

/** A PostgreSQL pool's shape; SQLite ignores it (one connection). */
export interface PoolOptions {
  size: number;
  /** Cancels any statement running longer (PostgreSQL's statement_timeout); unset = none. */
  statementTimeoutMs?: number;
}

export function ormOptions(db: DatabaseConfig, pool?: PoolOptions): Options {
  const common = {
    entities: ENTITIES,
    extensions: [Migrator],
    allowGlobalContext: false,
    forceUtcTimezone: true,
    // SQL logging is off on purpose: query parameters include key hashes.
    debug: false,
    discovery: { disableDynamicFileAccess: true },
  } satisfies Options;
  const migrations = {
    tableName: 'keygate_migrations',
    transactional: true,
    allOrNothing: true,
    snapshot: false,
    emit: 'ts' as const,
    silent: true,
  };
  if (db.dialect === 'sqlite') {
    return {
      ...common,
      driver: SqliteDriver,
      dbName: db.file,
      pool: { afterCreate: applySqlitePragmas },
      migrations: { ...migrations, path: migrationsSourceDir('sqlite'), migrationsList: sqliteMigrations },
    } as Options;
  }
  return {
    ...common,
    driver: PostgreSqlDriver,
    clientUrl: db.url,
    ...(pool && { pool: { min: 0, max: pool.size } }),
    ...(pool?.statementTimeoutMs && { driverOptions: { connection: { statement_timeout: pool.statementTimeoutMs } } }),
    migrations: { ...migrations, path: migrationsSourceDir('postgresql'), migrationsList: postgresqlMigrations },
  } as Options;
}

/**
 * Every SQLite connection runs in WAL mode with a full fsync at each commit: readers no
 * longer wait for the writer, a commit costs one append instead of a rollback journal's
 * several syncs, and `synchronous=FULL` keeps every acknowledged write across power loss
 * (NORMAL would not). The busy timeout lets a second process (the CLI beside a server)
 * wait for the write lock instead of failing with SQLITE_BUSY.
 */
export const SQLITE_PRAGMAS = ['journal_mode = WAL', 'synchronous = FULL', 'busy_timeout = 5000', 'foreign_keys = ON'];

interface SqliteHandle {
  exec(sql: string, done: (error: Error | null) => void): void;
}

function applySqlitePragmas(connection: SqliteHandle, done: (error: Error | null, connection: SqliteHandle) => void): void {
  connection.exec(SQLITE_PRAGMAS.map((p) => `PRAGMA ${p};`).join(' '), (error) => done(error, connection));
}

export async function openOrm(db: DatabaseConfig, pool?: PoolOptions): Promise<Orm> {
  if (db.dialect === 'sqlite' && db.file !== ':memory:') mkdirSync(dirname(db.file), { recursive: true });
  return MikroORM.init(ormOptions(db, pool));
}

/**
 * The ORM GraphQL queries read through: on PostgreSQL a second, smaller pool with a
 * statement timeout (see DatabasePools in config.ts); on SQLite the one ORM there is.
 */
export async function openQueryOrm(db: DatabaseConfig, main: Orm, pools: { querySize: number; queryStatementTimeoutMs: number }): Promise<Orm> {
  if (db.dialect === 'sqlite') return main;
  return openOrm(db, { size: pools.querySize, statementTimeoutMs: pools.queryStatementTimeoutMs });
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}
