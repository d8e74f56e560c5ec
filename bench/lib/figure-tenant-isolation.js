// @ts-check
'use strict';

const { Deployment, Q } = require('./keygate');
const { figure, failed, progress } = require('./report');
const { fmt, median } = require('./stats');

/**
 * Figure 8: does one tenant's heavy read slow the others down? App A's READ_ONLY key runs
 * the heaviest query the cost estimate allows (six keys with two years of daily usage),
 * six at a time without pause; app B verifies keys not yet in the cache, one at a time
 * (each a database read). The baseline is B's same verifications with A idle, alternated
 * A B, B A per round. The security finding this guards against (F1) measured about 60 s
 * against milliseconds; a drained pool would too. (The integration test checks only that B
 * is answered under that load: test/integration/tenant-isolation.security.test.ts.)
 */

const NAME = 'tenant isolation';
const GOAL = 25;
const HEAVY = 'query($a: ID!, $from: DateTime) { app(id: $a) { apiKeys(first: 6) { nodes { id usage(granularity: DAY, from: $from) { start verifications } } } } }';

/**
 * @param {'sqlite'|'postgres'} kind
 * @param {import('./options').Options} opts
 * @returns {Promise<import('./report').FigureResult>}
 */
async function tenantIsolationFigure(kind, opts) {
  const samples = opts.smoke ? 20 : 100;
  /** @type {Deployment | undefined} */
  let deployment;
  /** @type {Array<() => Promise<void>>} */
  const stops = [];
  try {
    progress(`${kind}: figure 8: ${opts.rounds} round(s) of ${samples} cache-miss verifications of B, alone and under A's heaviest reads`);
    deployment = await Deployment.create(kind, opts.pgAdminUrl);
    const kg = await deployment.start('keygate', { KEYGATE_AUTH_FAILURES_PER_IP: '0' });
    stops.push(kg.stop);
    const { client } = kg;
    const root = deployment.rootKey;
    const newApp = async (/** @type {string} */ name) => (await client.graphql(root, Q.createApp, { input: { name } })).createApp.id;
    const newKey = async (/** @type {string} */ appId, /** @type {string} */ role) =>
      (await client.graphql(root, Q.createApiKey, { input: { appId, name: 'bench', kind: 'SECRET', mode: 'LIVE', role } })).createApiKey;
    const appA = await newApp('tenant A');
    const reader = (await newKey(appA, 'READ_ONLY')).secret;
    for (let i = 0; i < 12; i++) {
      const key = await newKey(appA, 'READ_ONLY');
      if (i < 6) await client.graphql(root, 'mutation($id: ID!) { rotateApiKey(id: $id, gracePeriodSeconds: 3600) { rotation { id } } }', { id: key.apiKey.id });
    }
    const appB = await newApp('tenant B');
    const from = new Date(Date.now() - 730 * 86400_000).toISOString();

    /** B's verifications of `samples` fresh keys; with `heavy`, while A's six loops run. */
    const measure = async (/** @type {boolean} */ heavy) => {
      const keys = [];
      for (let i = 0; i < samples; i++) keys.push((await newKey(appB, 'READ_ONLY')).secret);
      let running = heavy;
      let heavyRuns = 0;
      const loops = Array.from({ length: heavy ? 6 : 0 }, async () => {
        while (running) {
          await client.graphql(reader, HEAVY, { a: appA, from });
          heavyRuns++;
        }
      });
      while (heavy && heavyRuns === 0) await new Promise((r) => setTimeout(r, 5));
      const times = [];
      for (const key of keys) {
        const res = await client.verify(key);
        if (res.status !== 200) throw new Error(`GET /auth/verify answered ${res.status}: ${res.body.slice(0, 200)}`);
        times.push(res.ms);
      }
      running = false;
      await Promise.all(loops);
      return { p50: median(times), heavyRuns };
    };

    /** @type {number[]} */
    const alone = [];
    /** @type {number[]} */
    const during = [];
    let heavyRuns = 0;
    for (let round = 0; round < opts.rounds; round++) {
      const order = round % 2 === 0 ? [false, true] : [true, false];
      for (const heavy of order) {
        const result = await measure(heavy);
        (heavy ? during : alone).push(result.p50);
        heavyRuns += result.heavyRuns;
      }
    }
    const ratio = median(during) / median(alone);
    return figure({
      id: 8,
      name: NAME,
      db: kind,
      body: `B verify p50 alone ${fmt(median(alone), 2)} ms, during A's load ${fmt(median(during), 2)} ms  ratio ${fmt(ratio)}  (A ran ${heavyRuns} heavy queries)`,
      goal: `ratio < ${GOAL}`,
      met: ratio < GOAL,
      data: { aloneP50: alone, duringP50: during, ratio, heavyRuns, samples, goal: { maxRatio: GOAL } },
    });
  } catch (error) {
    deployment?.markFailed();
    return failed(8, NAME, kind, error);
  } finally {
    for (const stop of stops.reverse()) await stop();
    await deployment?.drop();
  }
}

module.exports = { tenantIsolationFigure };
