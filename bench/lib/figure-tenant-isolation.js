// @ts-check
'use strict';

const { fork } = require('node:child_process');
const path = require('node:path');
const { livePids } = require('./cleanup');
const { onDeployment, Q } = require('./keygate');
const { figure, progress } = require('./report');
const { fmt, median } = require('./stats');

/**
 * Figure 8: does one tenant's heavy read slow the others down? App A's READ_ONLY key runs
 * the heaviest query the cost estimate allows (six keys with two years of daily usage),
 * six at a time without pause; app B verifies keys not yet in the cache, one at a time
 * (each a database read). The baseline is B's same verifications with A idle, alternated
 * A B, B A per round. The security finding this guards against (F1) measured about 60 s
 * against milliseconds; a drained pool would too. (The integration test checks only that B
 * is answered under that load: test/integration/tenant-isolation.security.test.ts.)
 * A's client is a process of its own (tenant-load.js), as another tenant's would be: run from
 * this process on B's keep-alive socket, B's requests queued behind A's six and the parsing of
 * A's answers, and the figure measured the bench's client (ratio ~150) rather than the server.
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
  progress(`${kind}: figure 8: ${opts.rounds} round(s) of ${samples} cache-miss verifications of B, alone and under A's heaviest reads`);
  return onDeployment(kind, opts.pgAdminUrl, 8, NAME, async (deployment, stops) => {
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
      const tenantA = heavy ? await startTenantA(kg.server.url, reader, { a: appA, from }) : null;
      const times = [];
      let heavyRuns = 0;
      try {
        for (const key of keys) {
          const res = await client.verify(key);
          if (res.status !== 200) throw new Error(`GET /auth/verify answered ${res.status}: ${res.body.slice(0, 200)}`);
          times.push(res.ms);
        }
      } finally {
        heavyRuns = (await tenantA?.stop()) ?? 0;
      }
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
  });
}

/**
 * A's six loops in their own process; resolves once A's first query has been answered.
 * `stop` ends the loops and resolves with how many of A's queries were answered.
 * @param {string} url @param {string} key @param {Record<string, string>} variables
 */
async function startTenantA(url, key, variables) {
  const child = fork(path.join(__dirname, 'tenant-load.js'), [url, key, HEAVY, JSON.stringify(variables), '6'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const pid = /** @type {number} */ (child.pid);
  livePids.add(pid);
  /** @type {Promise<number>} */
  const answered = new Promise((resolve, reject) => {
    child.on('message', (m) => typeof m === 'object' && m !== null && 'answered' in m && resolve(Number(m.answered)));
    child.once('exit', (code) => {
      livePids.delete(pid);
      reject(new Error(`tenant A's load stopped (exit ${code})`));
    });
  });
  await new Promise((resolve, reject) => {
    child.once('message', resolve);
    answered.catch(reject);
  });
  return {
    stop: () => {
      child.send('stop');
      return answered;
    },
  };
}

module.exports = { tenantIsolationFigure };
