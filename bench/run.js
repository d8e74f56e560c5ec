#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * `npm run bench`: Keygate against bare baselines, measured in the same run and
 * alternated A B A B, because on a shared 2-core machine only ratios taken side by side
 * mean anything. Prints one line per figure, then a JSON summary (BENCH_JSON line and a
 * file in the OS temp dir). Needs `npm run build` first. See bench/README.md.
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseOptions, UsageError, USAGE } = require('./lib/options');
const { installSignalHandlers, disposeAll, aborted } = require('./lib/cleanup');
const { assertBuilt } = require('./lib/procs');
const { progress } = require('./lib/report');
const { generator } = require('./lib/load');
const { throughputFigures } = require('./lib/figures-throughput');
const { tableSizeFigure } = require('./lib/figure-table-size');
const { revocationFigure } = require('./lib/figure-revocation');
const { rssFigure } = require('./lib/figure-rss');
const { tenantIsolationFigure } = require('./lib/figure-tenant-isolation');
const { gatewayFigure } = require('./lib/figure-gateway');

async function main() {
  /** @type {import('./lib/options').Options} */
  let opts;
  try {
    opts = parseOptions();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message) process.stderr.write(`bench: ${error.message}\n\n`);
    process.stderr.write(`${USAGE}\n`);
    return error.message ? 2 : 0;
  }
  assertBuilt();
  installSignalHandlers();

  const started = Date.now();
  /** @type {import('./lib/report').FigureResult[]} */
  const results = [];
  const emit = (/** @type {import('./lib/report').FigureResult} */ r) => {
    results.push(r);
    process.stdout.write(`${r.line}\n`);
  };
  progress(`keygate bench: db ${opts.dbArg}, ${opts.smoke ? 'smoke, ' : ''}${opts.rounds} round(s), ${opts.duration} s per run, figures ${[...opts.only].join(',')}`);
  try {
    for (const kind of opts.dbs) {
      if (aborted()) break;
      // Fixed order, each figure with its own scratch database and servers, so one
      // figure's leftovers (cache contents, table size) never colour the next.
      await throughputFigures(kind, opts, emit);
      if (opts.only.has(4)) emit(await tableSizeFigure(kind, opts));
      if (opts.only.has(5)) emit(await revocationFigure(kind, opts));
      if (opts.only.has(6)) emit(await rssFigure(kind, opts));
      if (opts.only.has(8)) emit(await tenantIsolationFigure(kind, opts));
      if (opts.only.has(10)) emit(await gatewayFigure(kind, opts));
    }
  } finally {
    await disposeAll();
  }
  // The signal handler exits once cleanup is done; a partial summary would mislead.
  if (aborted()) return 130;

  const summary = {
    bench: 'keygate',
    db: opts.dbArg,
    smoke: opts.smoke,
    rounds: opts.rounds,
    durationSeconds: opts.duration,
    connections: opts.connections,
    load: generator(),
    node: process.version,
    nodes: opts.nodes,
    cpus: os.cpus().length,
    startedAt: new Date(started).toISOString(),
    elapsedSeconds: Math.round((Date.now() - started) / 1000),
    figures: results,
  };
  const dir = path.join(os.tmpdir(), 'keygate-bench');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `latest-${opts.dbArg}.json`);
  fs.writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  // The path first, so that the BENCH_JSON line stays the last line for a parser.
  process.stdout.write(`summary file: ${file}\n`);
  process.stdout.write(`BENCH_JSON ${JSON.stringify(summary)}\n`);
  progress(`done in ${summary.elapsedSeconds} s`);

  const errors = results.filter((r) => r.status === 'ERROR').length;
  const missed = results.filter((r) => r.status === 'NOT MET').length;
  if (errors) progress(`${errors} figure(s) failed to run`);
  if (missed) progress(`${missed} goal(s) not met${opts.strict ? '' : ' (exit code unaffected without --strict)'}`);
  return errors || (opts.strict && missed) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  async (error) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : error}\n`);
    await disposeAll();
    process.exitCode = 1;
  },
);
