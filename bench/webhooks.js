#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * `npm run bench:webhooks`: what webhooks cost, measured side by side (bench/README.md).
 *
 *  W1 delivery latency on an idle server: request sent (revokeApiKey) → the receiver has
 *     the key.revoked event, next to the mutation's own round trip in the same run.
 *  W2 GET /auth/verify throughput while 200 deliveries go to a dead receiver (it accepts
 *     connections and never answers, so every attempt waits out the 10 s timeout),
 *     against the same setup with nothing to deliver; alternated A B, B A per round; the
 *     ratio is the figure (goal >= 0.9: delivery stays off the request path).
 *  W3 the same, under stress: a receiver answering 503 at once, every delivery retried
 *     every second (~100+ attempts/s on this machine). Informational: it measures what
 *     the attempts' own CPU and database work take from a 2-core machine.
 *
 * Options: --db sqlite|postgres (default sqlite), --smoke (1 round, 1 s runs).
 */

const http = require('node:http');
const { Deployment, createApp, createSecretKey } = require('./lib/keygate');
const { load, alternate, summarize } = require('./lib/load');
const { median, percentile, ratio, fmt } = require('./lib/stats');
const { installSignalHandlers, disposeAll } = require('./lib/cleanup');
const { assertBuilt, sleep } = require('./lib/procs');
const { progress } = require('./lib/report');

const args = process.argv.slice(2);
const db = /** @type {'sqlite'|'postgres'} */ (args.includes('--db') ? args[args.indexOf('--db') + 1] : 'sqlite');
const smoke = args.includes('--smoke');
const ROUNDS = smoke ? 1 : Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION = smoke ? 1 : Number(process.env.BENCH_DURATION ?? 5);
const SAMPLES = smoke ? 5 : 50;
const PENDING = 200;
const PG = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A receiver answering `status` (null: never answering); `onRequest` sees each delivery's arrival time. */
function receiver(status, onRequest = (/** @type {number} */ _at) => undefined) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      onRequest(performance.now());
      if (status === null) return;
      res.writeHead(status);
      res.end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${/** @type {any} */ (server.address()).port}/hooks` })));
}

async function latencyFigure() {
  const deployment = await Deployment.create(db, PG);
  const k = await deployment.start('latency');
  try {
    /** @type {((at: number) => void) | null} */
    let arrived = null;
    const r = /** @type {any} */ (await receiver(204, (at) => arrived?.(at)));
    const appId = await createApp(k.client, deployment.rootKey);
    await k.client.graphql(deployment.rootKey, 'mutation($a: ID!, $u: String!){ createWebhookEndpoint(input:{ appId:$a, mode: TEST, url:$u, events:["key.revoked"] }){ secret } }', { a: appId, u: r.url });
    const delivered = [];
    const roundTrip = [];
    for (let i = 0; i < SAMPLES; i++) {
      const { id } = await createSecretKey(k.client, deployment.rootKey, appId);
      await sleep(50); // idle: nothing else in flight
      const got = new Promise((resolve) => (arrived = resolve));
      const start = performance.now();
      await k.client.graphql(deployment.rootKey, 'mutation($id: ID!){ revokeApiKey(id:$id){ id } }', { id });
      roundTrip.push(performance.now() - start);
      delivered.push(/** @type {number} */ (await got) - start);
    }
    r.server.close();
    return { delivered_p50: median(delivered), delivered_p99: percentile(delivered, 99), mutation_p50: median(roundTrip), samples: SAMPLES };
  } finally {
    await k.stop();
    await deployment.drop();
  }
}

/**
 * A: PENDING deliveries to a receiver answering `status` (null: never); B: no endpoint.
 * @param {number | null} status @param {Record<string, string>} env
 */
async function throughputFigure(status, env) {
  const retrying = env;
  let failedAttempts = 0;
  const failing = /** @type {any} */ (await receiver(status, () => failedAttempts++));
  const sides = [];
  for (const withReceiver of [true, false]) {
    const deployment = await Deployment.create(db, PG);
    const k = await deployment.start('setup', retrying);
    const appId = await createApp(k.client, deployment.rootKey);
    const { secret } = await createSecretKey(k.client, deployment.rootKey, appId);
    if (withReceiver) {
      await k.client.graphql(deployment.rootKey, 'mutation($a: ID!, $u: String!){ createWebhookEndpoint(input:{ appId:$a, mode: TEST, url:$u, events:["key.created"] }){ secret } }', { a: appId, u: failing.url });
      for (let i = 0; i < PENDING; i++) await createSecretKey(k.client, deployment.rootKey, appId);
    }
    await k.stop();
    sides.push({ deployment, secret });
  }
  /** One run: start the side's server (its deliveries resume from the database), load it, stop it. */
  let attemptsDuringRetryingRuns = 0;
  const run = async (/** @type {number} */ side) => {
    const { deployment, secret } = sides[side];
    const before = failedAttempts;
    const k = await deployment.start(side === 0 ? 'retrying' : 'idle', retrying);
    try {
      const target = { label: 'verify', url: `${k.server.origin}/auth/verify`, method: /** @type {'GET'} */ ('GET'), headers: { authorization: `Bearer ${secret}` } };
      await load(target, { duration: 2, connections: 10 }); // warm-up, and the attempts get going
      return await load(target, { duration: DURATION, connections: 10 });
    } finally {
      await k.stop();
      if (side === 0) attemptsDuringRetryingRuns += failedAttempts - before;
    }
  };
  try {
    const { a, b } = await alternate(ROUNDS, () => run(0), () => run(1));
    const retried = summarize(a);
    const idle = summarize(b);
    return { rps_retrying: retried.rps, rps_idle: idle.rps, ratio: ratio(retried.rps, idle.rps), bad: retried.bad + idle.bad, attempts_during_retrying_runs: attemptsDuringRetryingRuns };
  } finally {
    failing.server.closeAllConnections();
    failing.server.close();
    for (const s of sides) await s.deployment.drop();
  }
}

async function main() {
  assertBuilt();
  installSignalHandlers();
  progress(`webhooks bench on ${db}: ${ROUNDS} round(s), ${DURATION} s runs`);
  const w1 = await latencyFigure();
  console.log(`W1 ${db}: commit → receiver p50 ${fmt(w1.delivered_p50)} ms, p99 ${fmt(w1.delivered_p99)} ms (request sent → event received; the mutation's own round trip p50 ${fmt(w1.mutation_p50)} ms; ${w1.samples} samples)`);
  const w2 = await throughputFigure(null, {});
  console.log(`W2 ${db}: /auth/verify ${fmt(w2.rps_retrying, 0)} req/s while ${PENDING} deliveries wait on a dead receiver vs ${fmt(w2.rps_idle, 0)} req/s with none: ratio ${fmt(w2.ratio)} (goal >= 0.90); ${w2.attempts_during_retrying_runs} attempts made meanwhile; non-2xx ${w2.bad}`);
  const w3 = await throughputFigure(503, { KEYGATE_WEBHOOK_RETRY_SCHEDULE: ['0', ...Array(600).fill('1')].join(',') });
  console.log(`W3 ${db}: /auth/verify ${fmt(w3.rps_retrying, 0)} req/s while ${PENDING} deliveries to a 503 receiver are retried every second vs ${fmt(w3.rps_idle, 0)} req/s with none: ratio ${fmt(w3.ratio)} (informational); ${w3.attempts_during_retrying_runs} failed attempts made meanwhile; non-2xx ${w3.bad}`);
  console.log(`BENCH_JSON ${JSON.stringify({ db, w1, w2, w3 })}`);
}

main()
  .catch((error) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : error}\n`);
    process.exitCode = 1;
  })
  .finally(() => disposeAll());
