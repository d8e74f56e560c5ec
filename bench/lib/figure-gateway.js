// @ts-check
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { peakThenHalfRate, probe, side } = require('./ab-measure');
const { onDeployment, createApp, createSecretKey } = require('./keygate');
const { generator } = require('./load');
const { startServer } = require('./procs');
const { figure, progress } = require('./report');
const { fmt } = require('./stats');

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
  progress(`${kind}: figure ${ID}: load by ${generator()}; starting the upstream, Keygate's gateway and Hive Gateway`);
  return onDeployment(kind, opts.pgAdminUrl, ID, NAME, async (deployment, stops) => {
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
    // A refused field or an upstream error answers 200 too: only the full answer counts.
    for (const target of [keygate, hiveTarget, direct]) await probe(target, '"price":100');

    progress(`${kind}: figure ${ID}: warm-up, then ${opts.rounds} round(s) of ${opts.duration} s each side, then Keygate and the upstream directly at half Keygate's peak`);
    const m = await peakThenHalfRate([keygate, hiveTarget], opts, [keygate, direct]);
    const added = m.halfP99A - m.halfP99B;
    return figure({
      id: ID,
      name: NAME,
      db: kind,
      body:
        `keygate ${side(m.peakA)}  hive ${side(m.peakB)}  ratio ${fmt(m.ratio)}` +
        `  |  at ${m.rate} req/s p99 keygate ${fmt(m.halfP99A)} ms, upstream directly ${fmt(m.halfP99B)} ms: added ${fmt(added)} ms` +
        `${m.bad ? `  [${m.bad} non-2xx/errors]` : ''}`,
      goal: `>= ${fmt(GOAL)}`,
      met: m.ratio >= GOAL && m.bad === 0,
      data: {
        load: generator(),
        keygate: m.peakA,
        hive: m.peakB,
        ratio: m.ratio,
        halfRate: { rate: m.rate, keygateP99: m.halfP99A, directP99: m.halfP99B, addedP99: added, keygate: m.half.a, direct: m.half.b },
        duration: opts.duration,
        connections: opts.connections,
        goal: { min: GOAL },
      },
    });
  });
}

module.exports = { gatewayFigure };
