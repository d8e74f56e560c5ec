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
