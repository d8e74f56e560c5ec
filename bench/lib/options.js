// @ts-check
'use strict';

/**
 * Command line and environment, parsed once. --smoke fixes every size and time so the
 * CI check stays bounded (< 3 min for both databases) whatever the environment says.
 */

const USAGE = `Usage: node bench/run.js [--db sqlite|postgres|both] [--smoke] [--only 1,3] [--strict] [--node <path>]...

  --db       which database(s) to run against (default both)
  --smoke    1 round, 1 s per run, small data sizes: checks that the bench runs
  --only     comma-separated figure numbers (1-10), default all
  --strict   exit 1 when a goal is not met (default: exit 1 only when a figure fails)
  --node     also run figures 1-3 with the servers on this Node.js binary (repeatable),
             beside the Node.js running the bench; e.g. --node /opt/node24/bin/node

Environment (ignored with --smoke):
  BENCH_DURATION  seconds per load run (default 5)
  BENCH_ROUNDS    A/B rounds per figure (default 3)
  BENCH_PG_URL    admin URL for scratch databases (default postgres://postgres@127.0.0.1:5432/postgres)

Needs a build: run "npm run build" first (the bench runs dist/main.js).`;

/**
 * @typedef {object} Options
 * @property {Array<'sqlite'|'postgres'>} dbs
 * @property {string} dbArg
 * @property {boolean} smoke
 * @property {boolean} strict
 * @property {Set<number>} only
 * @property {number} duration   seconds per autocannon run
 * @property {number} warmup     seconds of unmeasured load per target before the rounds
 * @property {number} rounds
 * @property {number} connections
 * @property {string[]} nodes   Node.js binaries the servers of figures 1-3 run on; the bench's own first
 * @property {string} pgAdminUrl
 * @property {{ small: number, large: number, samples: number }} tableSize  figure 4
 * @property {number} revocations  figure 5
 * @property {number} rssKeys      figure 6
 */

/** @returns {Options} */
function parseOptions(argv = process.argv.slice(2), env = process.env) {
  let dbArg = 'both';
  let smoke = false;
  let strict = false;
  let only = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const nodes = [process.execPath];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--db') dbArg = value();
    else if (flag === '--smoke') smoke = true;
    else if (flag === '--strict') strict = true;
    else if (flag === '--node') nodes.push(value());
    else if (flag === '--only') {
      const ids = value().split(',').map((s) => Number(s.trim()));
      if (ids.some((n) => !Number.isInteger(n) || n < 1 || n > 10)) throw new UsageError('--only takes figure numbers 1-10, e.g. --only 1,3');
      only = new Set(ids);
    } else if (flag === '--help' || flag === '-h') throw new UsageError('');
    else throw new UsageError(`unknown argument ${arg}`);
  }
  if (!['sqlite', 'postgres', 'both'].includes(dbArg)) throw new UsageError('--db must be sqlite, postgres or both');
  const dbs = /** @type {Array<'sqlite'|'postgres'>} */ (dbArg === 'both' ? ['sqlite', 'postgres'] : [dbArg]);

  const duration = smoke ? 1 : positive(env.BENCH_DURATION, 5, 'BENCH_DURATION');
  const rounds = smoke ? 1 : Math.max(1, Math.round(positive(env.BENCH_ROUNDS, 3, 'BENCH_ROUNDS')));
  return {
    dbs,
    dbArg,
    smoke,
    strict,
    only,
    duration,
    // Enough unmeasured load for the JIT and the connection pools to settle.
    warmup: smoke ? 0.5 : Math.min(2, duration),
    rounds,
    connections: 10,
    nodes,
    pgAdminUrl: env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    tableSize: smoke ? { small: 1e3, large: 1e5, samples: 500 } : { small: 1e3, large: 1e6, samples: 2000 },
    revocations: smoke ? 5 : 30,
    rssKeys: smoke ? 1e4 : 1e5,
  };
}

/** @param {string | undefined} raw @param {number} fallback @param {string} name */
function positive(raw, fallback, name) {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number (got ${raw})`);
  return n;
}

class UsageError extends Error {}

module.exports = { parseOptions, UsageError, USAGE };
