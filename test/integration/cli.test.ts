import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../src/database/scratch-database';
import { BIN, startServerProcess } from '../helpers/server-process';
import { TEST_DIALECT } from '../helpers/test-server';

// These run the compiled CLI, as a user would after `npm ci` (which builds dist/).

let database: ScratchDatabase;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  database = await createScratchDatabase(TEST_DIALECT);
  const url = database.config.dialect === 'sqlite' ? `sqlite:${database.config.file}` : database.config.url;
  env = { PATH: process.env.PATH, NODE_ENV: 'test', DATABASE_URL: url, KEYGATE_MASTER_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'info' };
});
afterAll(() => database?.drop());

function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 60_000 });
}

async function graphql(url: string, key: string, query: string) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query }) });
  return (await response.json()) as { data?: { viewer?: { type: string } } };
}

describe('keygate CLI', () => {
  it('prints usage and exits non-zero on wrong arguments', () => {
    for (const args of [[], ['frobnicate'], ['bootstrap', 'extra']]) {
      const run = cli(args);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain('Usage: keygate');
    }
  });

  it('migrate applies the migrations, then reports the database up to date', () => {
    expect(cli(['migrate']).status).toBe(0);
    const again = cli(['migrate']);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain('up to date');
  });

  it('bootstrap prints just a working root key on stdout', async () => {
    const run = cli(['bootstrap']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^rk_[0-9A-Za-z]{38}\n$/);
    const server = await startServerProcess(mkdtempSync(join(tmpdir(), 'keygate-cwd-')), env);
    try {
      const result = await graphql(server.url, run.stdout.trim(), '{ viewer { type } }');
      expect(result.data?.viewer?.type).toBe('ROOT');
      expect(server.output()).not.toContain(run.stdout.trim());
    } finally {
      await server.stop();
    }
  });

  it('fails fast with a clear message on bad configuration', () => {
    const run = cli(['migrate'], { KEYGATE_KEY_PREFIX: 'NOT OK' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('KEYGATE_KEY_PREFIX');
  });
});

describe('first start with no configuration', () => {
  it('creates data/keygate.db and a 0600 master key, prints a root key once, and serves GraphQL', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'keygate-fresh-'));
    try {
      const first = await startServerProcess(cwd, {});
      const rootKey = /\b(rk_[0-9A-Za-z]{38})\b/.exec(first.output())?.[1];
      expect(rootKey).toBeDefined();
      expect((await graphql(first.url, rootKey as string, '{ viewer { type } }')).data?.viewer?.type).toBe('ROOT');
      await first.stop();
      expect(statSync(join(cwd, 'data', 'master.key')).mode & 0o777).toBe(0o600);
      expect(statSync(join(cwd, 'data', 'keygate.db')).isFile()).toBe(true);

      const second = await startServerProcess(cwd, {});
      expect(second.output()).not.toMatch(/rk_[0-9A-Za-z]{38}/);
      expect((await graphql(second.url, rootKey as string, '{ viewer { type } }')).data?.viewer?.type).toBe('ROOT');
      await second.stop();
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
