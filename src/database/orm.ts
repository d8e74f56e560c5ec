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

export function ormOptions(db: DatabaseConfig): Options {
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
    migrations: { ...migrations, path: migrationsSourceDir('postgresql'), migrationsList: postgresqlMigrations },
  } as Options;
}

export async function openOrm(db: DatabaseConfig): Promise<Orm> {
  if (db.dialect === 'sqlite' && db.file !== ':memory:') mkdirSync(dirname(db.file), { recursive: true });
  return MikroORM.init(ormOptions(db));
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}
