import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { printSchema } from 'graphql';
import { config as loadDotenv } from 'dotenv';
import { createKeygate } from './app';
import { errorForLog } from './logger';
import { type Config, ConfigError, loadConfig } from './config';
import { migrate, openOrm } from './database/orm';
import { createMigrations, pendingSchemaChanges } from './database/migration-tools';
import { KeyHasher } from './modules/auth/key-hash';
import { createRootKey } from './modules/auth/root-key.service';
import { buildBareSchema } from './schema';
import { deriveKey, resolveMasterKey } from './shared/master-key';

const USAGE = `Usage: keygate <command>

Commands:
  serve                     start the server (GraphQL at /graphql)
  bootstrap                 create a root key and print it (only the key) on stdout
  migrate                   apply pending database migrations
  migration:create <name>   write SQLite and PostgreSQL migrations for entity changes (development)
  migration:check           fail when entities changed without a migration
  schema:emit [file]        write the GraphQL schema (default schema/schema.graphql)

Configuration comes from the environment and .env; see README.md.`;

/** Path of the committed SDL file, relative to the package root. */
export const SCHEMA_FILE = join(__dirname, '..', 'schema', 'schema.graphql');

/** The SDL the code defines, exactly as committed in schema/schema.graphql. */
export async function renderSchema(): Promise<string> {
  return `${printSchema(await buildBareSchema())}\n`;
}

export async function emitSchema(file = SCHEMA_FILE): Promise<string> {
  const sdl = await renderSchema();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, sdl);
  return file;
}

function readConfig(): Config {
  loadDotenv({ quiet: true });
  return loadConfig();
}

/** Prints the first root key once, to stdout, outside the structured log. */
function announceRootKey(value: string): void {
  process.stdout.write(
    [
      '',
      '  No root key existed, so one was created. It is shown only this once:',
      '',
      `    ${value}`,
      '',
      '  Store it in a password manager. Use it as: Authorization: Bearer <root key>',
      '',
    ].join('\n') + '\n',
  );
}

export async function serve(): Promise<number> {
  const config = configOrExitSafe();
  if (!config) return 1;
  const keygate = await createKeygate(config);
  const rootKey = await keygate.ensureFirstRootKey();
  if (rootKey) announceRootKey(rootKey);
  const { url } = await keygate.listen().catch(async (error: unknown) => {
    // A taken port, say: release the database and Redis so the process can exit.
    await keygate.close();
    throw error;
  });
  keygate.runtime.logger.info({ url, database: config.database.dialect }, `Keygate listening on ${url}`);
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    // npm forwards the terminal's Ctrl-C to a child that already got it from the process
    // group: a repeated signal while stopping must not cut the stop short.
    if (stopping) return;
    stopping = true;
    keygate.runtime.logger.info({ signal }, 'shutting down');
    try {
      await keygate.close();
      process.exit(0);
    } catch (error) {
      keygate.runtime.logger.error({ err: errorForLog(error) }, 'shutdown failed');
      process.exit(1);
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop(signal));
  return 0;
}

function configOrExitSafe(): Config | null {
  try {
    return readConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`keygate: ${error.message}\n`);
      return null;
    }
    throw error;
  }
}

async function bootstrap(): Promise<number> {
  const config = configOrExitSafe();
  if (!config) return 1;
  const hasher = new KeyHasher(deriveKey(resolveMasterKey(config), 'api-key-hmac'));
  const orm = await openOrm(config.database);
  try {
    await migrate(orm);
    const { value } = await createRootKey(orm.em.fork(), hasher, config.keyPrefix);
    process.stdout.write(`${value}\n`);
    return 0;
  } finally {
    await orm.close(true);
  }
}

async function migrateCommand(): Promise<number> {
  const config = configOrExitSafe();
  if (!config) return 1;
  const orm = await openOrm(config.database);
  try {
    const applied = await migrate(orm);
    process.stderr.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
    return 0;
  } finally {
    await orm.close(true);
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return rest.length ? usage() : serve();
    case 'bootstrap':
      return rest.length ? usage() : bootstrap();
    case 'migrate':
      return rest.length ? usage() : migrateCommand();
    case 'migration:create': {
      if (rest.length !== 1 || !/^[A-Za-z][A-Za-z0-9]*$/.test(rest[0])) return usage();
      const written = await createMigrations(rest[0]);
      process.stdout.write(written.length ? `${written.join('\n')}\n` : 'no schema changes\n');
      return 0;
    }
    case 'migration:check': {
      if (rest.length) return usage();
      const pending = await pendingSchemaChanges();
      const stale = Object.entries(pending).filter(([, needed]) => needed).map(([d]) => d);
      if (stale.length) {
        process.stderr.write(`entities changed without a migration for: ${stale.join(', ')}; run keygate migration:create <name>\n`);
        return 1;
      }
      process.stdout.write('migrations match the entities\n');
      return 0;
    }
    case 'schema:emit':
      if (rest.length > 1) return usage();
      process.stdout.write(`${await emitSchema(rest[0])}\n`);
      return 0;
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    default:
      return usage();
  }
}

function usage(): number {
  process.stderr.write(`${USAGE}\n`);
  return 2;
}
