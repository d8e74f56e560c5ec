import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { DatabaseConfig } from '../config';

/** Server used to create throw-away PostgreSQL databases (tests, migration tooling). */
export const POSTGRES_ADMIN_URL = process.env.KEYGATE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ScratchDatabase {
  config: DatabaseConfig;
  drop(): Promise<void>;
}

/** Runs `fn` on a connection to the admin database (creating and dropping databases). */
export async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh database of the given dialect, removed again by drop(): empty, or on PostgreSQL a copy
 * of `template` (CREATE DATABASE … TEMPLATE).
 */
export async function createScratchDatabase(dialect: DatabaseConfig['dialect'], options: { template?: string } = {}): Promise<ScratchDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'keygate-'));
    return {
      config: { dialect, file: join(dir, 'keygate.db') },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `keygate_scratch_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}${options.template ? ` TEMPLATE ${options.template}` : ''}`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    config: { dialect, url: url.toString() },
    drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
