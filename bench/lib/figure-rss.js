// @ts-check
'use strict';

const path = require('node:path');
const { onDeployment, createApp } = require('./keygate');
const { insertKeys } = require('./db');
const { HttpClient } = require('./http');
const { alternate } = require('./load');
const { memoryMb, sleep, ROOT } = require('./procs');
const { figure, progress } = require('./report');
const { fmt, median, pow10 } = require('./stats');

/**
 * Figure 6: peak resident memory of a Keygate process that has verified 10^5 distinct
 * keys (the cache is bounded, the usage counters are per key), against the same server
 * after start plus 100 verifications of one key. Each round uses fresh processes, since
 * VmHWM never goes down.
 */

const NAME = 'peak RSS';
const GOAL_MB = 300;
const IN_FLIGHT = 16;
const BASELINE_VERIFICATIONS = 100;
/** Longer than the usage recorder's 1 s flush interval: its last batch write counts too. */
const SETTLE_MS = 1500;

/**
 * @param {'sqlite'|'postgres'} kind
 * @param {import('./options').Options} opts
 * @returns {Promise<import('./report').FigureResult>}
 */
async function rssFigure(kind, opts) {
  const n = opts.rssKeys;
  progress(`${kind}: figure 6: inserting ${pow10(n)} keys`);
  return onDeployment(kind, opts.pgAdminUrl, 6, `${NAME} ${pow10(n)} keys`, async (d) => {
    const setup = await d.start('setup');
    let appId;
    try {
      appId = await createApp(setup.client, d.rootKey);
    } finally {
      await setup.stop();
    }
    const keys = makeKeys(n, d.masterKey);
    await insertKeys(d.db, appId, keys.rows);

    const afterAll = async () => {
      const kg = await d.start('keygate-rss');
      try {
        await verifyAll(kg.server.origin, keys.values);
        await sleep(SETTLE_MS);
        return memoryMb(kg.server.pid).peak;
      } finally {
        await kg.stop();
      }
    };
    const afterOne = async () => {
      const kg = await d.start('keygate-rss-base');
      try {
        for (let i = 0; i < BASELINE_VERIFICATIONS; i++) {
          const res = await kg.client.verify(keys.values[0]);
          if (res.status !== 200) throw new Error(`GET /auth/verify answered ${res.status}: ${res.body.slice(0, 200)}`);
        }
        await sleep(SETTLE_MS);
        return memoryMb(kg.server.pid).peak;
      } finally {
        await kg.stop();
      }
    };
    progress(`${kind}: figure 6: ${opts.rounds} round(s): verify ${pow10(n)} keys vs ${BASELINE_VERIFICATIONS} verifications of one`);
    const runs = await alternate(opts.rounds, afterAll, afterOne);
    const peak = median(runs.a);
    const base = median(runs.b);
    return figure({
      id: 6,
      name: `${NAME} ${pow10(n)} keys`,
      db: kind,
      body: `keygate ${fmt(peak, 0)} MB  baseline ${fmt(base, 0)} MB (start + ${BASELINE_VERIFICATIONS} verifications of one key)  ratio ${fmt(peak / base)}`,
      goal: `< ${GOAL_MB} MB`,
      met: peak < GOAL_MB,
      data: { keys: n, peakMb: peak, baselineMb: base, ratio: peak / base, rounds: { keygate: runs.a, baseline: runs.b }, goal: { maxMb: GOAL_MB } },
    });
  });
}

/**
 * Real keys, made and hashed exactly as Keygate does (its compiled code), so they
 * verify; inserting them by SQL is far faster than n createApiKey mutations.
 * @param {number} n @param {string} masterKeyBase64
 */
function makeKeys(n, masterKeyBase64) {
  const { generateKey } = require(path.join(ROOT, 'dist/modules/auth/key-format'));
  const { KeyHasher } = require(path.join(ROOT, 'dist/modules/auth/key-hash'));
  const { deriveKey } = require(path.join(ROOT, 'dist/shared/master-key'));
  const hasher = new KeyHasher(deriveKey(Buffer.from(masterKeyBase64, 'base64'), 'api-key-hmac'));
  /** @type {string[]} */
  const values = [];
  const rows = [];
  for (let i = 0; i < n; i++) {
    const { value, start } = generateKey({ type: 'app', kind: 'sk', mode: 'test' }, undefined);
    values.push(value);
    rows.push({ id: `key_rss${i}`, hash: hasher.hash(value), start });
  }
  return { values, rows };
}

/**
 * Every key once, IN_FLIGHT requests at a time; all must be accepted, or the memory
 * figure would describe a server that did less work.
 * @param {string} origin @param {string[]} values
 */
async function verifyAll(origin, values) {
  const client = new HttpClient(origin, IN_FLIGHT);
  let next = 0;
  const worker = async () => {
    while (next < values.length) {
      const res = await client.verify(values[next++]);
      if (res.status !== 200) throw new Error(`GET /auth/verify answered ${res.status}: ${res.body.slice(0, 200)}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  } finally {
    client.close();
  }
}

module.exports = { rssFigure };
