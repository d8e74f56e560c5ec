import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { migrate, openOrm } from '../../src/database/orm';
import { createScratchDatabase, POSTGRES_ADMIN_URL, type ScratchDatabase } from '../../src/database/scratch-database';
import { postgresqlMigrations } from '../../src/migrations/postgresql';
import { TEST_DIALECT } from './test-server';

/**
 * A fresh database for a suite, already migrated on PostgreSQL.
 *
 * Running every migration on every new PostgreSQL database cost about a second per server
 * a suite starts (80-odd in a run). PostgreSQL copies a database from a template in one
 * statement, so the migrations run once per set of migrations: the template's name carries
 * a hash of their names and code, so a changed or added migration gets a template of its
 * own (and a branch beside this one never uses a stale one). The server then finds nothing
 * to migrate. SQLite migrates an empty file in a fraction of that, so it stays as it was.
 * Suites about migrating itself (the CLI, the master-key check) use createScratchDatabase.
 */
export async function createTestDatabase(): Promise<ScratchDatabase> {
  if (TEST_DIALECT === 'sqlite') return createScratchDatabase('sqlite');
  const template = await migratedTemplate();
  const name = `keygate_scratch_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    config: { dialect: 'postgresql', url: url.toString() },
    drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
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

async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
