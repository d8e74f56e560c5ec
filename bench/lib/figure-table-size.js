// @ts-check
'use strict';

const { Deployment, createApp, createSecretKey } = require('./keygate');
const { countKeys, insertFiller } = require('./db');
const { alternate } = require('./load');
const { figure, failed, progress } = require('./report');
const { fmt, median, percentile, pow10 } = require('./stats');

/**
 * Figure 4: does a cache-miss verification slow down as api_keys grows? Two databases
 * prepared up front (10^3 and 10^6 rows), a Keygate with the verification cache off on
 * each, and sequential GET /auth/verify with real keys, one request at a time so the
 * number is latency, not queueing. The sizes alternate A B A B like everything else.
 */

const NAME = 'verify cache-miss';
const GOAL = 1.5;
/** Real keys per database, made through GraphQL; verification rotates through them. */
const REAL_KEYS = 8;

/**
 * @param {'sqlite'|'postgres'} kind
 * @param {import('./options').Options} opts
 * @returns {Promise<import('./report').FigureResult>}
 */
async function tableSizeFigure(kind, opts) {
  const { small, large, samples } = opts.tableSize;
  /** @type {Deployment[]} */
  const deployments = [];
  /** @type {Array<() => Promise<void>>} */
  const stops = [];
  try {
    /** @type {Array<{ client: import('./http').HttpClient, keys: string[] }>} */
    const sides = [];
    for (const rows of [large, small]) {
      progress(`${kind}: figure 4: preparing a database with ${pow10(rows)} keys`);
      const deployment = await Deployment.create(kind, opts.pgAdminUrl);
      deployments.push(deployment);
      // The real keys come from Keygate itself; the server then stops so the SQLite
      // file is ours alone while the filler goes in.
      const setup = await deployment.start('setup');
      const appId = await createApp(setup.client, deployment.rootKey);
      const keys = [];
      try {
        for (let i = 0; i < REAL_KEYS; i++) keys.push((await createSecretKey(setup.client, deployment.rootKey, appId)).secret);
      } finally {
        await setup.stop();
      }
      const started = Date.now();
      await insertFiller(deployment.db, appId, rows - REAL_KEYS);
      const count = await countKeys(deployment.db);
      if (count !== rows) throw new Error(`api_keys holds ${count} rows, expected ${rows}`);
      progress(`${kind}: figure 4: ${pow10(rows)} keys inserted in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const kg = await deployment.start('keygate-nocache', { KEYGATE_KEY_CACHE_SIZE: '0' });
      stops.push(kg.stop);
      sides.push({ client: kg.client, keys });
    }
    const [big, little] = sides;
    progress(`${kind}: figure 4: ${opts.rounds} round(s) of ${samples} sequential verifications per size`);
    // Unmeasured warm-up: JIT, the pools, and the database's page cache for the index path.
    await sequential(big, Math.min(200, samples));
    await sequential(little, Math.min(200, samples));
    const runs = await alternate(opts.rounds, () => sequential(big, samples), () => sequential(little, samples));
    const stat = (/** @type {number[][]} */ rs) => ({
      p50: median(rs.map((r) => percentile(r, 50))),
      p99: median(rs.map((r) => percentile(r, 99))),
      rounds: rs.map((r) => ({ p50: percentile(r, 50), p99: percentile(r, 99), n: r.length })),
    });
    const L = stat(runs.a);
    const S = stat(runs.b);
    const p50Ratio = L.p50 / S.p50;
    const p99Ratio = L.p99 / S.p99;
    return figure({
      id: 4,
      name: NAME,
      db: kind,
      body:
        `${pow10(large)} keys p50 ${fmt(L.p50, 3)} p99 ${fmt(L.p99, 3)} ms  ${pow10(small)} keys p50 ${fmt(S.p50, 3)} p99 ${fmt(S.p99, 3)} ms  ` +
        `ratio p50 ${fmt(p50Ratio)} p99 ${fmt(p99Ratio)}`,
      goal: `p50 ratio <= ${fmt(GOAL, 1)}`,
      met: p50Ratio <= GOAL,
      data: { large: { rows: large, ...L }, small: { rows: small, ...S }, p50Ratio, p99Ratio, samples, goal: { maxP50Ratio: GOAL } },
    });
  } catch (error) {
    for (const d of deployments) d.markFailed();
    return failed(4, NAME, kind, error);
  } finally {
    for (const stop of stops.reverse()) await stop();
    for (const d of deployments.reverse()) await d.drop();
  }
}

/**
 * `n` verifications one after another; returns each round trip in ms. Any non-200 is
 * an error: a failed lookup would be a fast, meaningless sample.
 * @param {{ client: import('./http').HttpClient, keys: string[] }} side @param {number} n
 */
async function sequential({ client, keys }, n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const res = await client.verify(keys[i % keys.length]);
    if (res.status !== 200) throw new Error(`GET /auth/verify answered ${res.status}: ${res.body.slice(0, 200)}`);
    times.push(res.ms);
  }
  return times;
}

module.exports = { tableSizeFigure };
