#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * A/B of two Keygate builds: both servers on one database, the same key, alternated wrk runs,
 * and for each run the server's CPU time per request (utime + stime from /proc over the run)
 * next to its req/s. On a shared 2-core machine req/s moves by ±30 % between rounds while CPU
 * per request moves by ±5 %, so this is how a hot-path change is judged (bench/README.md,
 * "Hot path notes (issue 25)").
 *
 *   cp -r dist dist-before        # the build before the change (inside the project: it needs node_modules)
 *   npm run build                 # the build after it
 *   node bench/ab.js dist-before dist [--target verify|viewer|session] [--rounds 6] [--seconds 4] [--node <path>]
 */

const fs = require('node:fs');
const path = require('node:path');
const { disposeAll, installSignalHandlers } = require('./lib/cleanup');
const { HttpClient } = require('./lib/http');
const { Deployment, createApp, createSecretKey, hotPathRequest } = require('./lib/keygate');
const { alternate, load, summarize } = require('./lib/load');
const { ROOT, startServer } = require('./lib/procs');

function parseArgs(argv = process.argv.slice(2)) {
  const opts = { builds: /** @type {string[]} */ ([]), target: 'verify', rounds: 6, seconds: 4, node: process.execPath };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--target') opts.target = argv[++i];
    else if (arg === '--rounds') opts.rounds = Number(argv[++i]);
    else if (arg === '--seconds') opts.seconds = Number(argv[++i]);
    else if (arg === '--node') opts.node = argv[++i];
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}; see the comment at the top of bench/ab.js`);
    else opts.builds.push(path.resolve(ROOT, arg));
  }
  if (opts.builds.length !== 2) throw new Error('name two builds (directories holding main.js), A then B');
  for (const dir of opts.builds) if (!fs.existsSync(path.join(dir, 'main.js'))) throw new Error(`${dir} holds no main.js (a copy of dist/)`);
  if (!['verify', 'viewer', 'session'].includes(opts.target)) throw new Error('--target is verify, viewer or session');
  if (!(opts.rounds > 0 && opts.seconds > 0)) throw new Error('--rounds and --seconds must be positive');
  return opts;
}

/** CPU microseconds the process has used: utime + stime, in clock ticks of 10 ms. @param {number} pid */
function cpuMicros(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** @param {number[]} xs */
const median = (xs) => xs.slice().sort((p, q) => p - q)[xs.length >> 1];

async function main() {
  const opts = parseArgs();
  installSignalHandlers();
  const deployment = await Deployment.create('sqlite', '');
  try {
    const start = (/** @type {string} */ dir, /** @type {string} */ name) =>
      startServer({ name, script: path.join(dir, 'main.js'), env: deployment.env(), logDir: deployment.db.dir, node: opts.node });
    const servers = [await start(opts.builds[0], 'A'), await start(opts.builds[1], 'B')];
    const client = new HttpClient(servers[0].origin);
    const { secret } = await createSecretKey(client, deployment.rootKey, await createApp(client, deployment.rootKey));
    client.close();
    const shape = /** @type {'verify'|'viewer'|'session'} */ (opts.target);
    const target = (/** @type {typeof servers[number]} */ server) => hotPathRequest(shape, server, secret, server.name);
    for (const server of servers) await load(target(server), { duration: 2, connections: 10 }); // warm-up: JIT, caches
    const run = async (/** @type {typeof servers[number]} */ server) => {
      const before = cpuMicros(server.pid);
      const result = await load(target(server), { duration: opts.seconds, connections: 10 });
      return { ...result, cpuPerRequest: (cpuMicros(server.pid) - before) / (result.rps * opts.seconds) };
    };
    const rounds = await alternate(opts.rounds, () => run(servers[0]), () => run(servers[1]));
    const [a, b] = [summarize(rounds.a), summarize(rounds.b)];
    const [cpuA, cpuB] = [median(rounds.a.map((r) => r.cpuPerRequest)), median(rounds.b.map((r) => r.cpuPerRequest))];
    const version = opts.node === process.execPath ? process.version : opts.node;
    console.log(`${opts.target}, node ${version}, ${opts.rounds} rounds of ${opts.seconds} s`);
    console.log(`  req/s        A ${Math.round(a.rps)}  B ${Math.round(b.rps)}  B/A ${(b.rps / a.rps).toFixed(3)}  (per round ${rounds.a.map((r, i) => (rounds.b[i].rps / r.rps).toFixed(2)).join(' ')})`);
    console.log(`  CPU µs/req   A ${cpuA.toFixed(1)}  B ${cpuB.toFixed(1)}  B/A ${(cpuB / cpuA).toFixed(3)}`);
    if (a.bad + b.bad > 0) console.log(`  ${a.bad + b.bad} answers were not 200: the comparison is not sound`);
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
