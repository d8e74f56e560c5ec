import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, openOrm } from '../../src/database/orm';
import { createScratchDatabase, POSTGRES_ADMIN_URL, type ScratchDatabase, withAdmin } from '../../src/database/scratch-database';
import { postgresqlMigrations } from '../../src/migrations/postgresql';
import { TEST_DIALECT } from './test-server';

/**
 * A fresh database for a suite, already migrated.
 *
 * Running every migration on every new database cost about a second per server on
 * PostgreSQL and a few hundred milliseconds on SQLite (80-odd servers a run). The migrations
 * now run once into a template, and each database is a copy: PostgreSQL copies a database
 * from a template in one statement; on SQLite a worker copies a migrated file. PostgreSQL's
 * template outlives the run, so its name carries a hash of the migrations' names and code:
 * a changed or added migration gets a template of its own (and a branch beside this one
 * never uses a stale one). The server then finds nothing to migrate. Suites about migrating
 * itself (the CLI, the master-key check) use createScratchDatabase.
 */
export async function createTestDatabase(): Promise<ScratchDatabase> {
  if (TEST_DIALECT === 'sqlite') {
    const database = await createScratchDatabase('sqlite');
    if (database.config.dialect === 'sqlite') copyFileSync(await migratedSqliteFile(), database.config.file);
    return database;
  }
  return createScratchDatabase('postgresql', { template: await migratedTemplate() });
}

let sqliteTemplate: Promise<string> | undefined;

/** One per worker process, removed when the process exits. */
function migratedSqliteFile(): Promise<string> {
  sqliteTemplate ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keygate-template-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'keygate.db');
    const orm = await openOrm({ dialect: 'sqlite', file });
    try {
      await migrate(orm);
    } finally {
      await orm.close(true);
    }
    // Closing the last connection checkpoints the write-ahead log into the file and removes it.
    if (existsSync(`${file}-wal`)) throw new Error(`the migrated SQLite template still has a write-ahead log: ${file}-wal`);
    return file;
  })();
  return sqliteTemplate;
}

let template: Promise<string> | undefined;

function migratedTemplate(): Promise<string> {
  template ??= buildTemplate().catch((error: unknown) => {
    template = undefined;
    throw error;
  });
  return template;
}

async function buildTemplate(): Promise<string> {
  const hash = createHash('sha256');
  for (const m of postgresqlMigrations) hash.update(`${m.name}\n${String((m.class as { prototype: { up: unknown } }).prototype.up)}\n`);
  const name = `keygate_template_${hash.digest('hex').slice(0, 16)}`;
  // Workers (and other runs on the same server) may all want it first: one builds it under
  // an advisory lock, under a temporary name, and renames it when migrated, so no one copies
  // a half-migrated template or one a migrating connection still holds.
  await withAdmin(async (admin) => {
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
    try {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (rowCount) return;
      const building = `${name}_building`;
      await admin.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${building}`);
      const url = new URL(POSTGRES_ADMIN_URL);
      url.pathname = `/${building}`;
      const orm = await openOrm({ dialect: 'postgresql', url: url.toString() });
      try {
        await migrate(orm);
      } finally {
        await orm.close(true);
      }
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
    }
  });
  return name;
}

