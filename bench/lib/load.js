// @ts-check
'use strict';

// autocannon ships no type declarations; the few result fields used are checked below.
/** @type {(opts: Record<string, unknown>) => Promise<any>} */
// @ts-ignore
const autocannon = require('autocannon');
const { median } = require('./stats');

/**
 * Throughput runs with autocannon, in the bench process (the servers are children), and
 * the A/B alternation every figure uses: round i runs A then B when i is even, B then A
 * when odd, so a slow patch of the shared machine, or warming caches, weighs on both.
 */

/**
 * @typedef {object} Target
 * @property {string} label
 * @property {string} url
 * @property {'GET'|'POST'} method
 * @property {Record<string, string>} headers
 * @property {string} [body]
 */

/**
 * @typedef {object} LoadRun
 * @property {number} rps      2xx responses per second of the run
 * @property {number} p50      ms
 * @property {number} p99      ms
 * @property {number} bad      non-2xx responses + errors + timeouts (should be 0)
 */

/**
 * @param {Target} target
 * @param {{ duration: number, connections: number }} opts
 * @returns {Promise<LoadRun>}
 */
async function load(target, { duration, connections }) {
  const result = await autocannon({
    url: target.url,
    method: target.method,
    headers: target.headers,
    body: target.body,
    connections,
    duration,
  });
  const seconds = result.duration > 0 ? result.duration : duration;
  return {
    // Counted from totals, not the per-second samples: with 1 s runs there is one sample.
    rps: result['2xx'] / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    bad: result.non2xx + result.errors + result.timeouts,
  };
}

/**
 * @template T
 * @param {number} rounds
 * @param {() => Promise<T>} runA
 * @param {() => Promise<T>} runB
 * @returns {Promise<{ a: T[], b: T[] }>}
 */
async function alternate(rounds, runA, runB) {
  /** @type {T[]} */
  const a = [];
  /** @type {T[]} */
  const b = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      a.push(await runA());
      b.push(await runB());
    } else {
      b.push(await runB());
      a.push(await runA());
    }
  }
  return { a, b };
}

/** Medians over rounds of each field of a LoadRun. @param {LoadRun[]} runs */
function summarize(runs) {
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    bad: runs.reduce((n, r) => n + r.bad, 0),
    rounds: runs,
  };
}

module.exports = { load, alternate, summarize };
