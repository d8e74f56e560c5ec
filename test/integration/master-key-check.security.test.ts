import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../src/database/scratch-database';
import { gqlOk, openSql } from '../helpers/process-harness';
import { BIN, MAIN, startServerProcess } from '../helpers/server-process';
import { TEST_DIALECT } from '../helpers/test-server';

/**
 * Issue 20: a wrong KEYGATE_MASTER_KEY stops the start at once, with one line on stderr
 * and exit code 1, even before any signing key exists: the database keeps a check value
 * of the master key it was created with. Real processes (`node dist/main.js` as `npm
 * start` runs it, and `keygate serve` / `keygate bootstrap`) on both databases.
 */
const MISMATCH = 'keygate: KEYGATE_MASTER_KEY does not match the one this database was created with\n';
const newMasterKey = () => randomBytes(32).toString('base64');

let database: ScratchDatabase;
let cwd: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  database = await createScratchDatabase(TEST_DIALECT);
  const url = database.config.dialect === 'sqlite' ? `sqlite:${database.config.file}` : database.config.url;
  env = { NODE_ENV: 'test', DATABASE_URL: url, LOG_LEVEL: 'info', KEYGATE_CONSOLE: 'false' };
  cwd = mkdtempSync(join(tmpdir(), 'keygate-master-key-'));
});
afterAll(async () => {
  rmSync(cwd, { recursive: true, force: true });
  await database?.drop();
});

/** Runs a command that is expected to end by itself (a refused start); its exit code and output. */
function run(masterKey: string, args: string[]) {
  const child = spawnSync(process.execPath, args, {
    cwd,
    env: { ...env, KEYGATE_MASTER_KEY: masterKey, PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** Starts the server with this master key until it listens, then stops it. */
async function startAndStop(masterKey: string, during?: (url: string) => Promise<void>): Promise<void> {
  const server = await startServerProcess(cwd, { ...env, KEYGATE_MASTER_KEY: masterKey });
  try {
    await during?.(server.url);
  } finally {
    await server.stop();
  }
}

async function storedCheckValues(): Promise<string[]> {
  const sql = await openSql(database);
  try {
    return (await sql.query(`select value from settings where name = 'master_key_check'`)).map((r) => String(r.value));
  } finally {
    await sql.close();
  }
}

function expectRefusedStart(result: ReturnType<typeof run>, secrets: string[]) {
  expect(result.code).toBe(1);
  expect(result.stderr).toBe(MISMATCH);
  expect(result.stdout).not.toMatch(/listening/);
  for (const secret of secrets) {
    expect(result.stderr).not.toContain(secret);
    expect(result.stdout).not.toContain(secret);
  }
}

describe('a database started with one master key', () => {
  const first = newMasterKey();
  const wrong = newMasterKey();

  it('keeps a check value from its first start (no signing key needed), never the key itself', async () => {
    await startAndStop(first);
    const values = await storedCheckValues();
    expect(values).toHaveLength(1);
    expect(values[0]).not.toContain(first);
  });

  it('refuses another key at once: exit 1, exactly one line on stderr, no stack trace and no key material', async () => {
    const secrets = [first, wrong, ...(await storedCheckValues())];
    expectRefusedStart(run(wrong, [MAIN]), secrets);
    expectRefusedStart(run(wrong, [BIN, 'serve']), secrets);
  });

  it('refuses to bootstrap a root key under another key (it could never authenticate)', async () => {
    const result = run(wrong, [BIN, 'bootstrap']);
    expectRefusedStart(result, [first, wrong]);
    expect(result.stdout).toBe('');
  });

  it('still starts with its own key', async () => {
    await startAndStop(first);
    expect(await storedCheckValues()).toHaveLength(1);
  });
});

describe('a database from before the check (signing keys, no check value)', () => {
  const own = newMasterKey();
  const wrong = newMasterKey();

  beforeAll(async () => {
    await database.drop();
    database = await createScratchDatabase(TEST_DIALECT);
    env.DATABASE_URL = database.config.dialect === 'sqlite' ? `sqlite:${database.config.file}` : database.config.url;
    const rootKey = run(own, [BIN, 'bootstrap']).stdout.trim();
    await startAndStop(own, async (url) => {
      await gqlOk(url, rootKey, 'mutation { rotateSigningKey { kid } }');
    });
    const sql = await openSql(database, { writable: true });
    await sql.query(`delete from settings`);
    await sql.close();
  });

  it('refuses a key that cannot decrypt its signing keys, the same way, and writes nothing', async () => {
    expectRefusedStart(run(wrong, [MAIN]), [own, wrong]);
    expect(await storedCheckValues()).toEqual([]);
  });

  it('gets its check value on the first start with the right key, and from then on refuses others by it', async () => {
    await startAndStop(own);
    expect(await storedCheckValues()).toHaveLength(1);
    const sql = await openSql(database, { writable: true });
    await sql.query(`delete from signing_keys`);
    await sql.close();
    expectRefusedStart(run(wrong, [MAIN]), [own, wrong]);
  });
});
