#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * Where a hot path's time goes: starts Keygate (dist/) under `node --cpu-prof`, drives one
 * request shape with wrk (or autocannon) for a while, stops the server and summarises its
 * profile as shares of the busy samples plus CPU microseconds per request.
 *
 *   node bench/profile.js [--target verify|credits|viewer|session] [--db sqlite|postgres] [--seconds 10] [--node <path>]
 *
 * The profile file stays in $TMPDIR/keygate-bench/profiles/ for Chrome DevTools.
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { disposeAll, installSignalHandlers } = require('./lib/cleanup');
const { Deployment, createApp, createSecretKey, hotPathRequest } = require('./lib/keygate');
const { load, generator } = require('./lib/load');
const { assertBuilt, ROOT } = require('./lib/procs');
const { summarise, folded } = require('./lib/profile-summary');

function parseArgs(argv = process.argv.slice(2)) {
  const opts = { target: 'verify', db: /** @type {'sqlite'|'postgres'} */ ('sqlite'), seconds: 10, node: process.execPath, detail: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--target') opts.target = argv[++i];
    else if (flag === '--db') opts.db = /** @type {'sqlite'|'postgres'} */ (argv[++i]);
    else if (flag === '--seconds') opts.seconds = Number(argv[++i]);
    else if (flag === '--node') opts.node = argv[++i];
    else if (flag === '--detail') opts.detail = true;
    else throw new Error(`unknown option ${flag}; see the comment at the top of bench/profile.js`);
  }
  if (!['verify', 'credits', 'viewer', 'session'].includes(opts.target)) throw new Error('--target is verify, credits, viewer or session');
  if (!['sqlite', 'postgres'].includes(opts.db)) throw new Error('--db is sqlite or postgres');
  if (!(opts.seconds > 0)) throw new Error('--seconds must be positive');
  return opts;
}

async function main() {
  const opts = parseArgs();
  assertBuilt();
  installSignalHandlers();
  const profiles = path.join(os.tmpdir(), 'keygate-bench', 'profiles');
  fs.mkdirSync(profiles, { recursive: true });
  const dir = fs.mkdtempSync(path.join(profiles, `${opts.target}-${opts.db}-`));
  const deployment = await Deployment.create(opts.db, process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  try {
    const kg = await deployment.start('profiled', {}, opts.node, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    const appId = await createApp(kg.client, deployment.rootKey);
    // credits: /auth/verify of a credit-limited key (figure 7), with more credits than a run spends.
    const { secret } = await createSecretKey(kg.client, deployment.rootKey, appId, opts.target === 'credits' ? { credits: { remaining: 2_147_483_647 } } : {});
    const target = hotPathRequest(opts.target === 'credits' ? 'verify' : /** @type {'verify'|'viewer'|'session'} */ (opts.target), kg.server, secret, 'keygate');
    await load(target, { duration: 2, connections: 10 }); // warm-up: JIT, caches
    const started = Date.now();
    const run = await load(target, { duration: opts.seconds, connections: 10 });
    await kg.stop();
    // The measured load and the stop only: start-up, migrations and the warm-up are left out.
    const windowMs = Date.now() - started;
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`the server wrote no profile into ${dir}`);
    const summary = summarise(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')), ROOT, windowMs);
    const requests = run.rps * opts.seconds;
    console.log(`${opts.target} on ${opts.db}, node ${opts.node === process.execPath ? process.version : opts.node}, ${generator()}: ${Math.round(run.rps)} req/s, busy ${Math.round(summary.busyMs)} ms, ~${((summary.busyMs * 1000) / requests).toFixed(1)} µs CPU per request`);
    for (const g of opts.detail ? summary.groups : folded(summary.groups)) {
      if (g.share < 0.005) continue;
      console.log(`${(g.share * 100).toFixed(1).padStart(5)} %  ${g.group}`);
    }
    console.log(`profile: ${path.join(dir, file)}`);
  } finally {
    await disposeAll();
    await deployment.drop();
  }
}

main().catch(async (error) => {
  console.error(error instanceof Error ? error.message : error);
  await disposeAll();
  process.exit(1);
});
