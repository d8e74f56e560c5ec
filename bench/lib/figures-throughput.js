// @ts-check
'use strict';

const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { Deployment, createApp, createSecretKey, Q } = require('./keygate');
const { peakThenHalfRate, probe, side } = require('./ab-measure');
const { generator } = require('./load');
const { startServer } = require('./procs');
const { figure, failed, progress } = require('./report');
const { fmt } = require('./stats');

/**
 * Figures 1-3: Keygate's throughput as a fraction of a bare server doing the work no key
 * service can skip (HMAC of the key, a Map lookup, the same answer; jose signing for
 * sessionAccess), then p99 latency of both at half Keygate's peak rate. One Keygate
 * (default cache) and two baseline children per Node.js binary serve all three; each
 * figure alternates Keygate and its baseline.
 * Figure 7: the same Keygate verifying a credit-limited key (answered from the process's
 * lease; one conditional UPDATE per lease) against a plain key (no database work once cached).
 * Figure 9: sessionAccess of an ES256 app against the same of an EdDSA app (the default), on
 * the same Keygate: what choosing ES256 for verifiers without Ed25519 costs in token minting.
 */

const FIGURES = {
  1: { name: 'graphql viewer', goal: 0.85 },
  2: { name: 'graphql sessionAccess', goal: 0.8 },
  3: { name: 'rest /auth/verify', goal: 0.75 },
  7: { name: 'rest /auth/verify credit-limited vs plain key', goal: 0.8 },
  9: { name: 'graphql sessionAccess ES256 vs EdDSA app', goal: 0.8 },
};

/** Enough credits that no run of the bench drains them (a GraphQL Int's maximum). */
const BENCH_CREDITS = 2_147_483_647;

/** @param {string} node */
function nodeVersion(node) {
  return execFileSync(node, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
}

/**
 * @param {'sqlite'|'postgres'} kind
 * @param {import('./options').Options} opts
 * @param {(r: import('./report').FigureResult) => void} emit
 */
async function throughputFigures(kind, opts, emit) {
  const ids = /** @type {Array<1|2|3|7|9>} */ ([1, 2, 3, 7, 9].filter((id) => opts.only.has(id)));
  if (ids.length === 0) return;
  /** @type {Deployment | undefined} */
  let deployment;
  /** Keygate's median req/s per figure and Node.js version, for the comparison lines. @type {Map<number, Map<string, number>>} */
  const peaks = new Map(ids.map((id) => [id, new Map()]));
  try {
    progress(`${kind}: figures ${ids.join(',')}: load by ${generator()}; starting Keygate and the baselines`);
    deployment = await Deployment.create(kind, opts.pgAdminUrl);
    /** @type {Keys | undefined} */
    let key;
    for (const node of opts.nodes) {
      const version = nodeVersion(node);
      /** @type {Array<() => Promise<void>>} */
      const stops = [];
      try {
        const kg = await deployment.start('keygate', undefined, node);
        stops.push(kg.stop);
        if (!key) {
          const appId = await createApp(kg.client, deployment.rootKey);
          const plainKey = await createSecretKey(kg.client, deployment.rootKey, appId);
          const metered = await createSecretKey(kg.client, deployment.rootKey, appId, { credits: { remaining: BENCH_CREDITS } });
          const es256AppId = await createApp(kg.client, deployment.rootKey, { tokenAlgorithm: 'ES256' });
          const es256 = await createSecretKey(kg.client, deployment.rootKey, es256AppId);
          key = { secret: plainKey.secret, metered: metered.secret, es256: es256.secret };
        }
        const pairs = await targets(kg, key, deployment, node, stops);
        for (const id of ids) {
          const { name, goal } = FIGURES[id];
          try {
            const result = await measure(pairs[id], opts, `${kind}: figure ${id} ${name} (node ${version})`);
            peaks.get(id)?.set(version, result.keygate.rps);
            emit(figure({ id, name, db: kind, body: `node ${version}  ${result.text}`, goal: `>= ${fmt(goal)}`, met: result.ratio >= goal && result.bad === 0, data: { node: version, load: generator(), ...result.data, goal: { min: goal } } }));
          } catch (error) {
            deployment.markFailed();
            emit(failed(id, name, kind, error));
          }
        }
      } catch (error) {
        deployment.markFailed();
        for (const id of ids) emit(failed(id, FIGURES[id].name, kind, error));
      } finally {
        for (const stop of stops.reverse()) await stop();
      }
    }
    if (opts.nodes.length > 1) for (const id of ids) emit(nodeComparison(id, kind, /** @type {Map<string, number>} */ (peaks.get(id))));
  } catch (error) {
    deployment?.markFailed();
    for (const id of ids) emit(failed(id, FIGURES[id].name, kind, error));
  } finally {
    await deployment?.drop();
  }
}

/**
 * @typedef {object} Keys
 * @property {string} secret  a plain READ_WRITE secret key of an app signing with EdDSA (the default)
 * @property {string} metered a credit-limited one of the same app
 * @property {string} es256   a plain READ_WRITE secret key of an app signing with ES256
 */

/**
 * The two baselines on `node`, and the A/B target pairs. Keygate's own answers are
 * handed to the baselines, so both send the same bytes.
 * @param {Awaited<ReturnType<Deployment['start']>>} kg
 * @param {Keys} keys
 * @param {Deployment} deployment
 * @param {string} node
 * @param {Array<() => Promise<void>>} stops
 * @returns {Promise<Record<1|2|3|7|9, [import('./load').Target, import('./load').Target]>>}
 */
async function targets(kg, { secret, metered, es256 }, deployment, node, stops) {
  const viewer = (await kg.client.graphql(secret, Q.viewer)).viewer;
  const token = (await kg.client.graphql(secret, Q.sessionAccess, { input: { userId: 'u1' } })).sessionAccess.token;
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
  const verified = await kg.client.verify(secret);
  if (verified.status !== 200) throw new Error(`GET /auth/verify answered ${verified.status}: ${verified.body}`);

  const baseEnv = { PATH: process.env.PATH, NODE_ENV: 'test', BASELINE_KEY: secret };
  const apollo = await startServer({
    name: 'baseline-apollo',
    script: path.join(__dirname, '..', 'baselines', 'apollo.js'),
    env: { ...baseEnv, BASELINE_VIEWER_TYPE: viewer.type, BASELINE_KEY_ID: viewer.keyId, BASELINE_APP_ID: claims.aud, BASELINE_MODE: claims.mode, BASELINE_ISSUER: claims.iss },
    logDir: deployment.db.dir,
    node,
  });
  stops.push(apollo.stop);
  const plain = await startServer({
    name: 'baseline-http',
    script: path.join(__dirname, '..', 'baselines', 'http.js'),
    env: { ...baseEnv, BASELINE_BODY: verified.body },
    logDir: deployment.db.dir,
    node,
  });
  stops.push(plain.stop);

  const auth = { authorization: `Bearer ${secret}` };
  const json = { ...auth, 'content-type': 'application/json' };
  const viewerBody = JSON.stringify({ query: Q.viewer });
  const sessionBody = JSON.stringify({ query: Q.sessionAccess, variables: { input: { userId: 'u1' } } });
  return {
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
      { label: 'credit-limited', url: `${kg.server.origin}/auth/verify`, method: 'GET', headers: { authorization: `Bearer ${metered}` } },
      { label: 'plain', url: `${kg.server.origin}/auth/verify`, method: 'GET', headers: auth },
    ],
    9: [
      { label: 'ES256', url: kg.server.url, method: 'POST', headers: { ...json, authorization: `Bearer ${es256}` }, body: sessionBody },
      { label: 'EdDSA', url: kg.server.url, method: 'POST', headers: json, body: sessionBody },
    ],
  };
}

/**
 * Both probed, then peak throughput alternated and both at half Keygate's peak rate
 * (peakThenHalfRate); the figure's text and data.
 * @param {[import('./load').Target, import('./load').Target]} pair
 * @param {import('./options').Options} opts
 * @param {string} label
 */
async function measure([a, b], opts, label) {
  await probe(a);
  await probe(b);
  progress(`${label}: warm-up, then ${opts.rounds} round(s) of ${opts.duration} s each side, then the same at half Keygate's peak`);
  const m = await peakThenHalfRate([a, b], opts);
  const text =
    `${a.label} ${side(m.peakA)}  ${b.label} ${side(m.peakB)}  ratio ${fmt(m.ratio)}` +
    `  |  at ${m.rate} req/s p99 ${a.label} ${fmt(m.halfP99A)} ms ${b.label} ${fmt(m.halfP99B)} ms` +
    `${m.bad ? `  [${m.bad} non-2xx/errors]` : ''}`;
  return {
    keygate: m.peakA,
    ratio: m.ratio,
    bad: m.bad,
    text,
    data: {
      keygate: m.peakA,
      baseline: m.peakB,
      ratio: m.ratio,
      halfRate: { rate: m.rate, keygateP99: m.halfP99A, baselineP99: m.halfP99B, keygate: m.half.a, baseline: m.half.b },
      duration: opts.duration,
      connections: opts.connections,
    },
  };
}

/**
 * Keygate on each Node.js against Keygate on the first: not alternated with each other
 * (each was alternated with its own baseline), so read it as indicative.
 * @param {number} id @param {'sqlite'|'postgres'} kind @param {Map<string, number>} byVersion
 */
function nodeComparison(id, kind, byVersion) {
  const [[first, base], ...others] = [...byVersion];
  const parts = others.map(([v, rps]) => `keygate on ${v} / on ${first}: ${fmt(rps / base)}`);
  return figure({ id, name: `${FIGURES[/** @type {1|2|3|7|9} */ (id)].name} by node`, db: kind, body: parts.join('  ') || 'only one Node.js measured', na: true, data: { rps: Object.fromEntries(byVersion) } });
}

module.exports = { throughputFigures };
