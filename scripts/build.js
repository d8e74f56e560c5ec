#!/usr/bin/env node
// `npm run build`: rebuilds only what changed, so `npm start` and `npm test` serve at once when
// the build is current (a full build is about a minute on a 2-core machine).
//  - the server: `tsc -b`, which keeps dist/.tsbuildinfo and skips an up-to-date project;
//  - typed operations (graphql-codegen) and the console bundle (Vite): each runs only when the
//    SHA-256 of its inputs differs from the stamp written beside its outputs by the last run.
// Content hashes rather than mtimes: a checkout or `git stash pop` can leave old mtimes on new
// content. `--force` rebuilds everything.
'use strict';
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, readdirSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'node_modules', '.bin');
const force = process.argv.includes('--force');

/** Every file under `dir` (recursively), skipping the named directories. */
function filesUnder(dir, skip = []) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return skip.includes(entry.name) ? [] : filesUnder(path, skip);
    return [path];
  });
}

/** One hash over the paths and contents of `files`, in a stable order. */
function hashOf(files) {
  const hash = createHash('sha256');
  for (const file of [...files].sort()) hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

function run(command, args) {
  execFileSync(join(BIN, command), args, { cwd: ROOT, stdio: 'inherit' });
}

/** Runs `build` unless every stamp file holds the hash of `inputs` (outputs exist and match). */
function step(name, inputs, stamps, build) {
  const digest = hashOf(inputs());
  const current = stamps.every((stamp) => existsSync(stamp) && readFileSync(stamp, 'utf8') === digest);
  if (current && !force) {
    console.log(`build: ${name} is up to date`);
    return;
  }
  build();
  for (const stamp of stamps) writeFileSync(stamp, digest);
}

// A dependency upgrade can change what codegen and Vite emit.
const LOCK = join(ROOT, 'package-lock.json');

run('tsc', ['-b', 'tsconfig.build.json']);

step(
  'typed operations (graphql-codegen)',
  () => [LOCK, join(ROOT, 'codegen.ts'), join(ROOT, 'schema', 'schema.graphql'), ...filesUnder(join(ROOT, 'test', 'operations')), ...filesUnder(join(ROOT, 'console', 'src', 'operations'))],
  [join(ROOT, 'test', 'generated', '.build-stamp'), join(ROOT, 'console', 'src', 'gql', '.build-stamp')],
  () => run('graphql-codegen', ['--config', 'codegen.ts']),
);

step(
  'console (vite build)',
  () => [LOCK, ...filesUnder(join(ROOT, 'console'), ['dist', 'node_modules'])],
  [join(ROOT, 'console', 'dist', '.build-stamp')],
  () => run('vite', ['build', 'console']),
);
