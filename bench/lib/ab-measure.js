// @ts-check
'use strict';

const { HttpClient } = require('./http');
const { load, alternate, summarize } = require('./load');
const { paced } = require('./paced');
const { fmt, median } = require('./stats');

/**
 * The A/B measurement the throughput figures (1-3, 7, 9) and the gateway figure (10) share,
 * kept in one place so that they keep measuring the same way.
 */

/**
 * After a warm-up of each, peak throughput of `a` and `b` alternated; then the half-rate
 * pair paced at half `a`'s peak rate (the same rate for both, so their p99s compare),
 * alternated too. The half-rate pair is the peak pair unless the figure compares latency
 * against something else (figure 10: Keygate against its upstream called directly).
 * @param {[import('./load').Target, import('./load').Target]} peakPair
 * @param {import('./options').Options} opts
 * @param {[import('./load').Target, import('./load').Target]} [halfRatePair]
 */
async function peakThenHalfRate([a, b], opts, [halfA, halfB] = [a, b]) {
  await load(a, { duration: opts.warmup, connections: opts.connections });
  await load(b, { duration: opts.warmup, connections: opts.connections });
  const runs = await alternate(opts.rounds, () => load(a, opts), () => load(b, opts));
  const peakA = summarize(runs.a);
  const peakB = summarize(runs.b);
  const rate = Math.max(1, Math.floor(peakA.rps / 2));
  const pacedOpts = { rate, duration: opts.duration, connections: opts.connections };
  const half = await alternate(opts.rounds, () => paced(halfA, pacedOpts), () => paced(halfB, pacedOpts));
  const p99 = (/** @type {Array<{ p99: number }>} */ r) => median(r.map((x) => x.p99));
  const bad = peakA.bad + peakB.bad + [...half.a, ...half.b].reduce((n, r) => n + r.bad, 0);
  return { peakA, peakB, ratio: peakA.rps / peakB.rps, rate, half, halfP99A: p99(half.a), halfP99B: p99(half.b), bad };
}

/** One side of a peak as the figure lines print it. @param {ReturnType<typeof summarize>} s */
function side(s) {
  return `${fmt(s.rps, 0)} req/s (p50 ${fmt(s.p50)} p99 ${fmt(s.p99)} ms)`;
}

/**
 * One request before measuring: a 200 carrying GraphQL errors would otherwise count as
 * a fast success. `mustContain`, when given, is a part of the answer the figure relies on.
 * @param {import('./load').Target} target @param {string} [mustContain]
 */
async function probe(target, mustContain) {
  const url = new URL(target.url);
  const client = new HttpClient(url.origin);
  try {
    const headers = target.body ? { ...target.headers, 'content-length': String(Buffer.byteLength(target.body)) } : target.headers;
    const res = await client.request(target.method, url.pathname, headers, target.body);
    const missing = mustContain !== undefined && !res.body.includes(mustContain);
    if (res.status !== 200 || res.body.includes('"errors"') || missing) throw new Error(`${target.label} ${target.method} ${url.pathname} answered ${res.status}: ${res.body.slice(0, 300)}`);
  } finally {
    client.close();
  }
}

module.exports = { peakThenHalfRate, side, probe };
