#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * `npm run soak`: a fixed-rate mixed load on one Keygate process for a bounded time,
 * reporting errors (goal: 0) and the server's RSS over time (goal: flat). Loopback only.
 *
 *   node bench/soak.js [--db sqlite|postgres] [--rate 200] [--seconds 60] [--strict]
 *
 * The mix: 70 % GET /auth/verify, 15 % GraphQL viewer, 10 % POST /session_access,
 * 5 % a made-up key (an expected 401, not an error). An error is any other status, a
 * 5xx, or a failed connection. Needs `npm run build` first.
 */

const fs = require('node:fs');
const { installSignalHandlers, disposeAll, aborted } = require('./lib/cleanup');
const { assertBuilt } = require('./lib/procs');
const { HttpClient } = require('./lib/http');
const { Deployment, createApp, createSecretKey, Q } = require('./lib/keygate');

const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SAMPLE_EVERY_MS = 5_000;

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** @param {number} pid */
function rssMb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function main() {
  const kind = /** @type {'sqlite'|'postgres'} */ (option('db', 'sqlite'));
  const rate = Number(option('rate', '200'));
  const seconds = Number(option('seconds', '60'));
  if (!['sqlite', 'postgres'].includes(kind) || !(rate > 0 && rate <= 5_000) || !(seconds > 0 && seconds <= 3_600)) {
    process.stderr.write('usage: node bench/soak.js [--db sqlite|postgres] [--rate 1..5000] [--seconds 1..3600] [--strict]\n');
    return 2;
  }
  assertBuilt();
  installSignalHandlers();
  const deployment = await Deployment.create(kind, PG_ADMIN_URL);
  try {
    const { server, client, stop } = await deployment.start('soak', { KEYGATE_AUTH_FAILURES_PER_IP: '0' });
    const appId = await createApp(client, deployment.rootKey);
    const key = await createSecretKey(client, deployment.rootKey, appId);
    // Enough sockets that a fixed rate never queues behind one slow answer.
    const load = new HttpClient(server.origin, 32);
    const counts = { sent: 0, ok: 0, expected401: 0, errors: 0 };
    /** @type {Record<string, number>} */
    const errorKinds = {};
    const samples = [{ t: 0, rss: rssMb(server.pid) }];

    const one = async () => {
      const roll = Math.random();
      counts.sent++;
      try {
        let status;
        let expected = 200;
        if (roll < 0.7) status = (await load.request('GET', '/auth/verify', { authorization: `Bearer ${key.secret}` })).status;
        else if (roll < 0.85) {
          status = (await load.request('POST', '/graphql', { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' }, JSON.stringify({ query: Q.viewer }))).status;
        } else if (roll < 0.95) {
          status = (await load.request('POST', '/session_access', { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' }, JSON.stringify({ user_id: 'soak' }))).status;
        } else {
          expected = 401;
          status = (await load.request('GET', '/auth/verify', { authorization: 'Bearer sk_test_madeup' })).status;
        }
        if (status === expected) counts[expected === 200 ? 'ok' : 'expected401']++;
        else {
          counts.errors++;
          errorKinds[`status ${status}`] = (errorKinds[`status ${status}`] ?? 0) + 1;
        }
      } catch (error) {
        counts.errors++;
        const label = error instanceof Error ? error.message.slice(0, 60) : String(error);
        errorKinds[label] = (errorKinds[label] ?? 0) + 1;
      }
    };

    // Fixed rate: a tick every 10 ms sends the requests due by now (never a backlog burst
    // larger than one second's worth), so a slow server shows as errors, not as less load.
    const started = Date.now();
    const inFlight = new Set();
    let nextSample = SAMPLE_EVERY_MS;
    process.stderr.write(`soak: ${kind}, ${rate} req/s for ${seconds} s\n`);
    while (!aborted()) {
      const elapsed = Date.now() - started;
      if (elapsed >= seconds * 1000) break;
      const due = Math.min(Math.floor((elapsed / 1000) * rate) - counts.sent, rate);
      for (let i = 0; i < due; i++) {
        const p = one().finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      if (elapsed >= nextSample) {
        samples.push({ t: Math.round(elapsed / 1000), rss: rssMb(server.pid) });
        process.stderr.write(`  ${Math.round(elapsed / 1000)} s: ${counts.sent} sent, ${counts.errors} errors, RSS ${samples.at(-1)?.rss} MB\n`);
        nextSample += SAMPLE_EVERY_MS;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    await Promise.allSettled([...inFlight]);
    samples.push({ t: Math.round((Date.now() - started) / 1000), rss: rssMb(server.pid) });
    load.close();
    await stop();

    const rss = samples.map((s) => s.rss);
    const secondHalf = rss.slice(Math.floor(rss.length / 2));
    const summary = {
      db: kind,
      rate,
      seconds,
      ...counts,
      errorKinds,
      rssMb: { start: rss[0], end: rss.at(-1), max: Math.max(...rss), secondHalfSpread: Math.max(...secondHalf) - Math.min(...secondHalf) },
      samples,
    };
    process.stdout.write(
      `soak ${kind}: ${counts.sent} requests at ${rate}/s for ${seconds} s, errors ${counts.errors} (goal 0), ` +
        `RSS start ${summary.rssMb.start} MB end ${summary.rssMb.end} MB max ${summary.rssMb.max} MB, second-half spread ${summary.rssMb.secondHalfSpread} MB (goal: flat)\n`,
    );
    process.stdout.write(`SOAK_JSON ${JSON.stringify(summary)}\n`);
    return process.argv.includes('--strict') && counts.errors > 0 ? 1 : 0;
  } finally {
    await disposeAll();
    await deployment.drop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`soak failed: ${error instanceof Error ? error.stack : error}\n`);
    void disposeAll().finally(() => process.exit(1));
  },
);
