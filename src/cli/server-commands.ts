import { config as loadDotenv } from 'dotenv';
import type { Command } from 'commander';
import { type Config, ConfigError, loadConfig } from '../config';
import { UsageError } from './output';

/**
 * Commands that run the server or work on its database directly (no running server
 * needed). The server, ORM and schema are loaded only by the command that needs them, so
 * the API commands (apps, keys, …) start quickly.
 */

function readConfig(): Config | null {
  loadDotenv({ quiet: true });
  try {
    return loadConfig();
  } catch (error) {
    refuseStart(error);
    return null;
  }
}

/**
 * A start the configuration does not allow (a malformed or wrong master key, say) ends
 * with one line on stderr and exit code 1: no stack trace, which would say nothing more.
 * Anything else is unexpected and propagates.
 */
function refuseStart(error: unknown): 1 {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`keygate: ${error.message}\n`);
  return 1;
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

/** Starts the server; resolves once it listens (the process then lives until a signal). */
export async function serve(): Promise<number> {
  const config = readConfig();
  if (!config) return 1;
  const { createKeygate } = await import('../app');
  const { errorForLog } = await import('../logger');
  let keygate: Awaited<ReturnType<typeof createKeygate>>;
  try {
    keygate = await createKeygate(config);
  } catch (error) {
    return refuseStart(error);
  }
  const rootKey = await keygate.ensureFirstRootKey();
  if (rootKey) announceRootKey(rootKey);
  const { url } = await keygate.listen().catch(async (error: unknown) => {
    // A taken port, say: release the database and Redis so the process can exit.
    await keygate.close();
    throw error;
  });
  keygate.runtime.logger.info({ url, database: config.database.dialect }, `Keygate listening on ${url}`);
  if (config.console) keygate.runtime.logger.info(`Console: ${url.replace(/\/graphql$/, '/console')} (sign in with a root or secret key)`);
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    // npm forwards the terminal's Ctrl-C to a child that already got it from the process
    // group: a repeated signal while stopping must not cut the stop short.
    if (stopping) return;
    stopping = true;
    // close() stops listening before its first await, so by the time this line is out no new
    // connection is accepted (a supervisor or test may act on the line at once).
    const closed = keygate.close();
    keygate.runtime.logger.info({ signal }, 'shutting down');
    try {
      await closed;
      process.exit(0);
    } catch (error) {
      keygate.runtime.logger.error({ err: errorForLog(error) }, 'shutdown failed');
      process.exit(1);
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop(signal));
  return 0;
}

async function bootstrap(): Promise<number> {
  const config = readConfig();
  if (!config) return 1;
  const [{ KeyHasher }, { deriveKey, resolveMasterKey }, { verifyMasterKey }, { migrate, openOrm }, { createRootKey }] = await Promise.all([
    import('../modules/auth/key-hash'),
    import('../shared/master-key'),
    import('../shared/master-key-check'),
    import('../database/orm'),
    import('../modules/auth/root-key.service'),
  ]);
  let masterKey: Buffer;
  try {
    masterKey = resolveMasterKey(config);
  } catch (error) {
    return refuseStart(error);
  }
  const hasher = new KeyHasher(deriveKey(masterKey, 'api-key-hmac'));
  const orm = await openOrm(config.database);
  try {
    await migrate(orm);
    // A root key hashed under the wrong master key would never authenticate.
    await verifyMasterKey(orm, masterKey);
    const { value } = await createRootKey(orm.em.fork(), hasher, config.keyPrefix);
    process.stdout.write(`${value}\n`);
    return 0;
  } catch (error) {
    return refuseStart(error);
  } finally {
    await orm.close(true);
  }
}

async function migrateCommand(): Promise<number> {
  const config = readConfig();
  if (!config) return 1;
  const { migrate, openOrm } = await import('../database/orm');
  const orm = await openOrm(config.database);
  try {
    const applied = await migrate(orm);
    process.stderr.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
    return 0;
  } finally {
    await orm.close(true);
  }
}

async function migrationCreate(name: string): Promise<number> {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new UsageError('migration:create: the name must be letters and digits, starting with a letter');
  const { createMigrations } = await import('../database/migration-tools');
  const written = await createMigrations(name);
  process.stdout.write(written.length ? `${written.join('\n')}\n` : 'no schema changes\n');
  return 0;
}

async function migrationCheck(): Promise<number> {
  const { pendingSchemaChanges } = await import('../database/migration-tools');
  const pending = await pendingSchemaChanges();
  const stale = Object.entries(pending).filter(([, needed]) => needed).map(([d]) => d);
  if (stale.length) {
    process.stderr.write(`entities changed without a migration for: ${stale.join(', ')}; run keygate migration:create <name>\n`);
    return 1;
  }
  process.stdout.write('migrations match the entities\n');
  return 0;
}

/** Registers the server commands; `done` receives each command's exit code. */
export function addServerCommands(program: Command, done: (code: number) => void): void {
  const run = (work: () => Promise<number>) => async () => done(await work());
  program.command('serve').description('start the server (GraphQL at /graphql)').action(run(serve));
  program.command('bootstrap').description('create a root key and print it (only the key) on stdout').action(run(bootstrap));
  program.command('migrate').description('apply pending database migrations').action(run(migrateCommand));
  program
    .command('migration:create')
    .description('write SQLite and PostgreSQL migrations for entity changes (development)')
    .argument('<name>', 'a name for the migration, e.g. AddOwner')
    .action(async (name: string) => done(await migrationCreate(name)));
  program.command('migration:check').description('fail when entities changed without a migration').action(run(migrationCheck));
  program
    .command('schema:emit')
    .description('write the GraphQL schema (default schema/schema.graphql)')
    .argument('[file]', 'where to write it')
    .action(async (file?: string) => {
      const { emitSchema } = await import('./schema-file');
      process.stdout.write(`${await emitSchema(file)}\n`);
      done(0);
    });
  program
    .command('docs:emit')
    .description('rewrite the generated type reference in docs/graphql-api.md from schema/schema.graphql')
    .action(async () => {
      const { emitGraphqlDocs } = await import('./graphql-docs');
      process.stdout.write(`${emitGraphqlDocs()}\n`);
      done(0);
    });
}
