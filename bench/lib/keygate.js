// @ts-check
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { HttpClient } = require('./http');
const { scratchDatabase } = require('./db');
const { bootstrap, startServer, ROOT } = require('./procs');
const { failed, progress } = require('./report');

/**
 * One Keygate deployment for one figure: a scratch database, a master key, a root key,
 * and as many server processes on it as the figure wants.
 */

const Q = {
  createApp: 'mutation($input: CreateAppInput!){ createApp(input:$input){ id } }',
  createApiKey: 'mutation($input: CreateApiKeyInput!){ createApiKey(input:$input){ secret apiKey { id } } }',
  revokeApiKey: 'mutation($id: ID!){ revokeApiKey(id:$id){ id } }',
  viewer: '{ viewer { type keyId } }',
  sessionAccess: 'mutation($input: SessionAccessInput!){ sessionAccess(input:$input){ token } }',
};

/**
 * The request a hot-path tool drives against one Keygate server (bench/profile.js, bench/ab.js):
 * `GET /auth/verify`, the `viewer` query or the `sessionAccess` mutation, `secret` as the Bearer key.
 * @param {'verify'|'viewer'|'session'} shape
 * @param {{ url: string, origin: string }} server
 * @param {string} secret
 * @param {string} label
 * @returns {import('./load').Target}
 */
function hotPathRequest(shape, server, secret, label) {
  const auth = { authorization: `Bearer ${secret}` };
  if (shape === 'verify') return { label, url: `${server.origin}/auth/verify`, method: 'GET', headers: auth };
  const operation = shape === 'viewer' ? { query: Q.viewer } : { query: Q.sessionAccess, variables: { input: { userId: 'u1' } } };
  return { label, url: server.url, method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(operation) };
}

class Deployment {
  /**
   * @param {'sqlite'|'postgres'} kind
   * @param {string} pgAdminUrl
   */
  static async create(kind, pgAdminUrl) {
    const db = await scratchDatabase(kind, pgAdminUrl);
    const masterKey = crypto.randomBytes(32).toString('base64');
    const deployment = new Deployment(db, masterKey);
    try {
      deployment.rootKey = await bootstrap(deployment.env());
    } catch (error) {
      await db.drop();
      throw error;
    }
    return deployment;
  }

  /** @param {import('./db').ScratchDb} db @param {string} masterKey */
  constructor(db, masterKey) {
    this.db = db;
    this.masterKey = masterKey;
    this.rootKey = '';
    this.started = 0;
    this.failed = false;
  }

  /** The documented environment, nothing inherited but PATH. @param {Record<string, string>} [extra] */
  env(extra = {}) {
    return {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      DATABASE_URL: this.db.url,
      KEYGATE_MASTER_KEY: this.masterKey,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      KEYGATE_DATA_DIR: this.db.dir,
      ...extra,
    };
  }

  /**
   * A server process with its own keep-alive client, run by `node` (default: the bench's own).
   * @param {string} name @param {Record<string, string>} [extraEnv] @param {string} [node] @param {string[]} [nodeArgs]
   */
  async start(name, extraEnv, node, nodeArgs) {
    const server = await startServer({ name: `${name}-${++this.started}`, script: path.join(ROOT, 'dist/main.js'), env: this.env(extraEnv), logDir: this.db.dir, node, nodeArgs });
    const client = new HttpClient(server.origin);
    return {
      server,
      client,
      stop: async () => {
        client.close();
        await server.stop();
      },
    };
  }

  /** After a failure: keep the server logs (the scratch dir goes away with the database). */
  markFailed() {
    this.failed = true;
  }

  /** Stops nothing by itself: servers registered their own stop, which runs first. */
  async drop() {
    if (this.failed && fs.existsSync(this.db.dir)) {
      const kept = path.join(os.tmpdir(), 'keygate-bench', 'logs', path.basename(this.db.dir));
      try {
        fs.mkdirSync(kept, { recursive: true });
        for (const file of fs.readdirSync(this.db.dir).filter((f) => f.endsWith('.log'))) fs.copyFileSync(path.join(this.db.dir, file), path.join(kept, file));
        progress(`server logs kept in ${kept}`);
      } catch (error) {
        progress(`could not keep the server logs: ${error instanceof Error ? error.message : error}`);
      }
    }
    await this.db.drop();
  }
}

/**
 * One figure on a deployment of its own. `run` pushes the stop of every process it starts
 * onto `stops`; whatever happens they stop, last started first, and then the scratch
 * database goes. A failure becomes the figure's ERROR line, with the server logs kept.
 * @param {'sqlite'|'postgres'} kind @param {string} pgAdminUrl @param {number} id @param {string} name
 * @param {(deployment: Deployment, stops: Array<() => Promise<void>>) => Promise<import('./report').FigureResult>} run
 * @returns {Promise<import('./report').FigureResult>}
 */
async function onDeployment(kind, pgAdminUrl, id, name, run) {
  /** @type {Deployment | undefined} */
  let deployment;
  /** @type {Array<() => Promise<void>>} */
  const stops = [];
  try {
    deployment = await Deployment.create(kind, pgAdminUrl);
    return await run(deployment, stops);
  } catch (error) {
    deployment?.markFailed();
    return failed(id, name, kind, error);
  } finally {
    for (const stop of stops.reverse()) await stop();
    await deployment?.drop();
  }
}

/**
 * @param {HttpClient} client @param {string} rootKey
 * @param {Record<string, unknown>} [extra] more CreateAppInput fields (e.g. tokenAlgorithm)
 * @returns {Promise<string>} app id
 */
async function createApp(client, rootKey, extra = {}) {
  const data = await client.graphql(rootKey, Q.createApp, { input: { name: 'bench', ...extra } });
  return data.createApp.id;
}

/**
 * @param {HttpClient} client @param {string} rootKey @param {string} appId
 * @param {Record<string, unknown>} [extra] more CreateApiKeyInput fields (e.g. credits)
 * @returns {Promise<{ secret: string, id: string }>}
 */
async function createSecretKey(client, rootKey, appId, extra = {}) {
  const data = await client.graphql(rootKey, Q.createApiKey, { input: { appId, name: 'bench', kind: 'SECRET', mode: 'TEST', role: 'READ_WRITE', ...extra } });
  return { secret: data.createApiKey.secret, id: data.createApiKey.apiKey.id };
}

/** @param {HttpClient} client @param {string} rootKey @param {string} id */
async function revokeKey(client, rootKey, id) {
  await client.graphql(rootKey, Q.revokeApiKey, { id });
}

module.exports = { Deployment, onDeployment, createApp, createSecretKey, revokeKey, hotPathRequest, Q };
