// @ts-check
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { Deployment, createApp, createSecretKey } = require('./keygate');
const { HttpClient } = require('./http');
const { load, generator, alternate, summarize } = require('./load');
const { paced } = require('./paced');
const { startServer } = require('./procs');
const { figure, failed, progress } = require('./report');
const { fmt, median } = require('./stats');

/**
 * Figure 10: a small query through Keygate's gateway (a secret key authenticated, the
 * field rules of the SDL checked against its scopes, no credits) against Hive Gateway
 * (`hive-gateway proxy`, no auth: it checks nothing) in front of the same graphql-js
 * upstream, alternated; goal ratio >= 1.0. Then the p99 Keygate adds over calling the
 * upstream directly, both paced at half Keygate's peak rate.
 */

const ID = 10;
const NAME = 'gateway small query vs Hive Gateway';
const GOAL = 1.0;

/** The upstream's SDL as Keygate reads it: a scope on a field, so the rules have work to do. */
const SDL = `
directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
type Query {
  product(id: ID!): Product
  hello: String
}
type Product {
  id: ID!
  name: String!
  price: Int! @requiresScopes(scopes: [["read"]])
}
`;
const QUERY = 'query Small { product(id: "1") { id name price } }';

/**
 * @param {'sqlite'|'postgres'} kind
 * @param {import('./options').Options} opts
 * @returns {Promise<import('./report').FigureResult>}
 */
async function gatewayFigure(kind, opts) {
  /** @type {Deployment | undefined} */
  let deployment;
  /** @type {Array<() => Promise<void>>} */
  const stops = [];
  try {
    progress(`${kind}: figure ${ID}: load by ${generator()}; starting the upstream, Keygate's gateway and Hive Gateway`);
    deployment = await Deployment.create(kind, opts.pgAdminUrl);
    const logDir = deployment.db.dir;
    const upstream = await startServer({ name: 'upstream-graphql', script: path.join(__dirname, '..', 'baselines', 'graphql-upstream.js'), env: { PATH: process.env.PATH, BENCH_SDL: SDL }, logDir });
    stops.push(upstream.stop);
    const sdlFile = path.join(logDir, 'upstream.graphql');
    fs.writeFileSync(sdlFile, SDL);
    const kg = await deployment.start('keygate', { KEYGATE_GATEWAY_UPSTREAM: upstream.url, KEYGATE_GATEWAY_SCHEMA: sdlFile });
    stops.push(kg.stop);
    const hive = await startServer({ name: 'hive-gateway', script: path.join(__dirname, '..', 'baselines', 'hive-gateway.js'), env: { PATH: process.env.PATH, BENCH_UPSTREAM: upstream.url }, logDir });
    stops.push(hive.stop);

    const appId = await createApp(kg.client, deployment.rootKey);
    const { secret } = await createSecretKey(kg.client, deployment.rootKey, appId);
    const body = JSON.stringify({ query: QUERY });
    const json = { 'content-type': 'application/json' };
    /** @type {import('./load').Target} */
    const keygate = { label: 'keygate', url: `${kg.server.origin}/gateway/graphql`, method: 'POST', headers: { ...json, authorization: `Bearer ${secret}` }, body };
    /** @type {import('./load').Target} */
    const hiveTarget = { label: 'hive', url: hive.url, method: 'POST', headers: json, body };
    /** @type {import('./load').Target} */
    const direct = { label: 'direct', url: upstream.url, method: 'POST', headers: json, body };
    for (const target of [keygate, hiveTarget, direct]) await probe(target);

    progress(`${kind}: figure ${ID}: warm-up, then ${opts.rounds} round(s) of ${opts.duration} s each side, then Keygate and the upstream directly at half Keygate's peak`);
    await load(keygate, { duration: opts.warmup, connections: opts.connections });
    await load(hiveTarget, { duration: opts.warmup, connections: opts.connections });
    const runs = await alternate(opts.rounds, () => load(keygate, opts), () => load(hiveTarget, opts));
    const ours = summarize(runs.a);
    const theirs = summarize(runs.b);
    const ratio = ours.rps / theirs.rps;
    const rate = Math.max(1, Math.floor(ours.rps / 2));
    const pacedOpts = { rate, duration: opts.duration, connections: opts.connections };
    const half = await alternate(opts.rounds, () => paced(keygate, pacedOpts), () => paced(direct, pacedOpts));
    const p99 = (/** @type {Array<{ p99: number }>} */ r) => median(r.map((x) => x.p99));
    const added = p99(half.a) - p99(half.b);
    const bad = ours.bad + theirs.bad + [...half.a, ...half.b].reduce((n, r) => n + r.bad, 0);
    const side = (/** @type {ReturnType<typeof summarize>} */ s) => `${fmt(s.rps, 0)} req/s (p50 ${fmt(s.p50)} p99 ${fmt(s.p99)} ms)`;
    return figure({
      id: ID,
      name: NAME,
      db: kind,
      body:
        `keygate ${side(ours)}  hive ${side(theirs)}  ratio ${fmt(ratio)}` +
        `  |  at ${rate} req/s p99 keygate ${fmt(p99(half.a))} ms, upstream directly ${fmt(p99(half.b))} ms: added ${fmt(added)} ms` +
        `${bad ? `  [${bad} non-2xx/errors]` : ''}`,
      goal: `>= ${fmt(GOAL)}`,
      met: ratio >= GOAL && bad === 0,
      data: { load: generator(), keygate: ours, hive: theirs, ratio, halfRate: { rate, keygateP99: p99(half.a), directP99: p99(half.b), addedP99: added, keygate: half.a, direct: half.b }, duration: opts.duration, connections: opts.connections, goal: { min: GOAL } },
    });
  } catch (error) {
    deployment?.markFailed();
    return failed(ID, NAME, kind, error);
  } finally {
    for (const stop of stops.reverse()) await stop();
    await deployment?.drop();
  }
}

/**
 * One request before measuring: an answer carrying GraphQL errors (a refused field, an
 * upstream error) would otherwise count as a fast success.
 * @param {import('./load').Target} target
 */
async function probe(target) {
  const url = new URL(target.url);
  const client = new HttpClient(url.origin);
  try {
    const headers = target.body ? { ...target.headers, 'content-length': String(Buffer.byteLength(target.body)) } : target.headers;
    const res = await client.request(target.method, url.pathname, headers, target.body);
    if (res.status !== 200 || res.body.includes('"errors"') || !res.body.includes('"price":100')) throw new Error(`${target.label} ${target.method} ${url.pathname} answered ${res.status}: ${res.body.slice(0, 300)}`);
  } finally {
    client.close();
  }
}

module.exports = { gatewayFigure };
