// @ts-check
'use strict';

const path = require('node:path');
const { Deployment, createApp, createSecretKey, Q } = require('./keygate');
const { HttpClient } = require('./http');
const { load, alternate, summarize } = require('./load');
const { startServer } = require('./procs');
const { figure, failed, progress } = require('./report');
const { fmt } = require('./stats');

/**
 * Figures 1-3: Keygate's throughput as a fraction of a bare server doing the same
 * exchange. One Keygate (default cache) and two baseline children serve all three, so
 * the setup cost is paid once; each figure alternates Keygate and its baseline.
 * Figure 7: the same Keygate verifying a credit-limited key (one conditional UPDATE per
 * use) against a plain key (no database work once cached).
 */

const FIGURES = {
  1: { name: 'graphql viewer', goal: 0.85 },
  2: { name: 'graphql sessionAccess', goal: 0.7 },
  3: { name: 'rest /auth/verify', goal: 0.7 },
  7: { name: 'rest /auth/verify credit-limited vs plain key', goal: 0.05 },
};

/** Enough credits that no run of the bench drains them (a GraphQL Int's maximum). */
const BENCH_CREDITS = 2_147_483_647;

/**
 * @param {'sqlite'|'postgres'} kind
 * @param {import('./options').Options} opts
 * @param {(r: import('./report').FigureResult) => void} emit
 */
async function throughputFigures(kind, opts, emit) {
  const ids = /** @type {Array<1|2|3|7>} */ ([1, 2, 3, 7].filter((id) => opts.only.has(id)));
  if (ids.length === 0) return;
  /** @type {Deployment | undefined} */
  let deployment;
  /** @type {Array<() => Promise<void>>} */
  const stops = [];
  try {
    progress(`${kind}: figures ${ids.join(',')}: starting Keygate and the baselines`);
    deployment = await Deployment.create(kind, opts.pgAdminUrl);
    const kg = await deployment.start('keygate');
    stops.push(kg.stop);
    const appId = await createApp(kg.client, deployment.rootKey);
    const { secret } = await createSecretKey(kg.client, deployment.rootKey, appId);
    const metered = await createSecretKey(kg.client, deployment.rootKey, appId, { credits: { remaining: BENCH_CREDITS } });

    // Keygate's own answers, handed to the baselines: both then send the same bytes.
    const viewer = (await kg.client.graphql(secret, Q.viewer)).viewer;
    const token = (await kg.client.graphql(secret, Q.sessionAccess, { input: { userId: 'u1' } })).sessionAccess.token;
    const verified = await kg.client.verify(secret);
    if (verified.status !== 200) throw new Error(`GET /auth/verify answered ${verified.status}: ${verified.body}`);

    const baseEnv = { PATH: process.env.PATH, NODE_ENV: 'test' };
    const apollo = await startServer({
      name: 'baseline-apollo',
      script: path.join(__dirname, '..', 'baselines', 'apollo.js'),
      env: { ...baseEnv, BASELINE_VIEWER_TYPE: viewer.type, BASELINE_KEY_ID: viewer.keyId, BASELINE_TOKEN: token },
      logDir: deployment.db.dir,
    });
    stops.push(apollo.stop);
    const plain = await startServer({
      name: 'baseline-http',
      script: path.join(__dirname, '..', 'baselines', 'http.js'),
      env: { ...baseEnv, BASELINE_BODY: verified.body },
      logDir: deployment.db.dir,
    });
    stops.push(plain.stop);

    const auth = { authorization: `Bearer ${secret}` };
    const json = { ...auth, 'content-type': 'application/json' };
    const viewerBody = JSON.stringify({ query: Q.viewer });
    const sessionBody = JSON.stringify({ query: Q.sessionAccess, variables: { input: { userId: 'u1' } } });
    /** @type {Record<1|2|3|7, [import('./load').Target, import('./load').Target]>} */
    const pairs = {
      1: [
        { label: 'keygate', url: kg.server.url, method: 'POST', headers: json, body: viewerBody },
        { label: 'baseline', url: apollo.url, method: 'POST', headers: json, body: viewerBody },
      ],
      2: [
        { label: 'keygate', url: kg.server.url, method: 'POST', headers: json, body: sessionBody },
        { label: 'baseline', url: apollo.url, method: 'POST', headers: json, body: sessionBody },
      ],
      3: [
        { label: 'keygate', url: `${kg.server.origin}/auth/verify`, method: 'GET', headers: auth },
        { label: 'baseline', url: plain.url, method: 'GET', headers: auth },
      ],
      7: [
        { label: 'credit-limited', url: `${kg.server.origin}/auth/verify`, method: 'GET', headers: { authorization: `Bearer ${metered.secret}` } },
        { label: 'plain', url: `${kg.server.origin}/auth/verify`, method: 'GET', headers: auth },
      ],
    };

    for (const id of ids) {
      const { name, goal } = FIGURES[id];
      try {
        const [a, b] = pairs[id];
        await probe(a);
        await probe(b);
        progress(`${kind}: figure ${id} ${name}: warm-up, then ${opts.rounds} round(s) of ${opts.duration} s each side`);
        await load(a, { duration: opts.warmup, connections: opts.connections });
        await load(b, { duration: opts.warmup, connections: opts.connections });
        const runs = await alternate(opts.rounds, () => load(a, opts), () => load(b, opts));
        const kgStats = summarize(runs.a);
        const baseStats = summarize(runs.b);
        const ratio = kgStats.rps / baseStats.rps;
        const bad = kgStats.bad + baseStats.bad;
        const side = (/** @type {ReturnType<typeof summarize>} */ s) => `${fmt(s.rps, 0)} req/s (p50 ${fmt(s.p50, 0)} p99 ${fmt(s.p99, 0)} ms)`;
        emit(
          figure({
            id,
            name,
            db: kind,
            body: `${a.label} ${side(kgStats)}  ${b.label} ${side(baseStats)}  ratio ${fmt(ratio)}${bad ? `  [${bad} non-2xx/errors]` : ''}`,
            goal: `>= ${fmt(goal)}`,
            met: ratio >= goal && bad === 0,
            data: { keygate: kgStats, baseline: baseStats, ratio, goal: { min: goal }, duration: opts.duration, connections: opts.connections },
          }),
        );
      } catch (error) {
        deployment.markFailed();
        emit(failed(id, name, kind, error));
      }
    }
  } catch (error) {
    deployment?.markFailed();
    for (const id of ids) emit(failed(id, FIGURES[id].name, kind, error));
  } finally {
    for (const stop of stops.reverse()) await stop();
    await deployment?.drop();
  }
}

/**
 * One request before measuring: a 200 carrying GraphQL errors would otherwise count as
 * fast successes.
 * @param {import('./load').Target} target
 */
async function probe(target) {
  const url = new URL(target.url);
  const client = new HttpClient(url.origin);
  try {
    const headers = target.body ? { ...target.headers, 'content-length': String(Buffer.byteLength(target.body)) } : target.headers;
    const res = await client.request(target.method, url.pathname, headers, target.body);
    if (res.status !== 200 || res.body.includes('"errors"')) throw new Error(`${target.label} ${target.method} ${url.pathname} answered ${res.status}: ${res.body.slice(0, 300)}`);
  } finally {
    client.close();
  }
}

module.exports = { throughputFigures };
