// @ts-check
'use strict';

const { execFile, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { checkNotAborted, livePids } = require('./cleanup');
const { median } = require('./stats');

/**
 * Throughput runs, and the A/B alternation every figure uses: round i runs A then B when
 * i is even, B then A when odd, so a slow patch of the shared machine, or warming
 * caches, weighs on both.
 *
 * The load generator is `wrk` (C, one thread: it leaves most of the two cores to the
 * servers) when it is installed, else autocannon in the bench process (it takes about
 * a core itself, which understates both sides). Which one ran is in every result.
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

/** @type {string | null | undefined} */
let wrkPath;
/** The wrk binary, or null when it is not installed (then autocannon runs). */
function wrkBinary() {
  if (wrkPath !== undefined) return wrkPath;
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    wrkPath = 'wrk';
  } catch (error) {
    // wrk --version exits 1 after printing its banner; only a missing binary is ENOENT.
    wrkPath = /** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT' ? null : 'wrk';
  }
  return wrkPath;
}

/** 'wrk' or 'autocannon': what `load` uses on this machine. */
function generator() {
  return wrkBinary() ? 'wrk' : 'autocannon';
}

/**
 * @param {Target} target
 * @param {{ duration: number, connections: number }} opts
 * @returns {Promise<LoadRun>}
 */
function load(target, opts) {
  return wrkBinary() ? wrkLoad(target, opts) : autocannonLoad(target, opts);
}

const luaString = (/** @type {string} */ s) => `[==[${s}]==]`;

/**
 * The request and a `done` hook printing one JSON line: wrk's own summary is text meant
 * for people, and its latency percentiles there are rounded.
 * @param {Target} target
 */
function wrkScript(target) {
  const headers = Object.entries(target.headers)
    .map(([name, value]) => `wrk.headers[ ${luaString(name)} ] = ${luaString(value)}`)
    .join('\n');
  return `wrk.method = ${luaString(target.method)}
${target.body !== undefined ? `wrk.body = ${luaString(target.body)}` : ''}
${headers}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"us":%d,"status":%d,"errors":%d,"p50":%.1f,"p99":%.1f}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;
}

/** @param {Target} target @param {{ duration: number, connections: number }} opts @returns {Promise<LoadRun>} */
async function wrkLoad(target, { duration, connections }) {
  checkNotAborted();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keygate-wrk-'));
  const script = path.join(dir, 'request.lua');
  fs.writeFileSync(script, wrkScript(target));
  try {
    // wrk takes whole seconds; one thread, as the issue asks, so it stays off the servers' core.
    const args = ['-t1', `-c${connections}`, `-d${Math.max(1, Math.round(duration))}s`, '--timeout', '10s', '-s', script, target.url];
    const stdout = await new Promise((resolve, reject) => {
      const child = execFile(/** @type {string} */ (wrkBinary()), args, { timeout: (duration + 30) * 1000 }, (error, out, err) => {
        livePids.delete(child.pid);
        if (error) reject(new Error(`wrk failed: ${error.message}\n${err}`));
        else resolve(out);
      });
      livePids.add(child.pid);
    });
    const line = String(stdout).split('\n').find((l) => l.startsWith('WRK_JSON '));
    if (!line) throw new Error(`wrk printed no summary:\n${stdout}`);
    const r = JSON.parse(line.slice('WRK_JSON '.length));
    const ok = r.requests - r.status;
    return { rps: ok / (r.us / 1e6), p50: r.p50 / 1000, p99: r.p99 / 1000, bad: r.status + r.errors };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** @param {Target} target @param {{ duration: number, connections: number }} opts @returns {Promise<LoadRun>} */
async function autocannonLoad(target, { duration, connections }) {
  // autocannon ships no type declarations; the few result fields used are read below.
  /** @type {(opts: Record<string, unknown>) => Promise<any>} */
  // @ts-ignore
  const autocannon = require('autocannon');
  const result = await autocannon({ url: target.url, method: target.method, headers: target.headers, body: target.body, connections, duration });
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

module.exports = { load, generator, alternate, summarize };
