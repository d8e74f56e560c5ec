#!/usr/bin/env node
// `npm run build`: rebuilds only what changed, so `npm start` and `npm test` serve at once when
// the build is current (a full build is about a minute on a 2-core machine).
//  - the server: `tsc -b`, which keeps dist/.tsbuildinfo and skips an up-to-date project;
//  - typed operations (graphql-codegen) and the console bundle (Vite): each runs only when the
//    hash of its inputs moved (scripts/build-steps.js). `--force` rebuilds everything.
'use strict';
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');
const { filesUnder, step } = require('./build-steps');

const ROOT = join(__dirname, '..');
const force = process.argv.includes('--force');
// A dependency upgrade can change what codegen and Vite emit.
const LOCK = join(ROOT, 'package-lock.json');

function run(command, args) {
  execFileSync(join(ROOT, 'node_modules', '.bin', command), args, { cwd: ROOT, stdio: 'inherit' });
}

function report(name, built) {
  if (!built) console.log(`build: ${name} is up to date`);
}

run('tsc', ['-b', 'tsconfig.build.json', ...(force ? ['--force'] : [])]);

report(
  'typed operations (graphql-codegen)',
  step({
    root: ROOT,
    force,
    inputs: [LOCK, join(ROOT, 'codegen.ts'), join(ROOT, 'schema', 'schema.graphql'), ...filesUnder(join(ROOT, 'test', 'operations')), ...filesUnder(join(ROOT, 'console', 'src', 'operations'))],
    stamps: [join(ROOT, 'test', 'generated', '.build-stamp'), join(ROOT, 'console', 'src', 'gql', '.build-stamp')],
    build: () => run('graphql-codegen', ['--config', 'codegen.ts']),
  }),
);

// After codegen: the console's inputs include its generated operations (console/src/gql).
report(
  'console (vite build)',
  step({
    root: ROOT,
    force,
    inputs: [LOCK, ...filesUnder(join(ROOT, 'console'), ['dist', 'node_modules'])],
    stamps: [join(ROOT, 'console', 'dist', '.build-stamp')],
    build: () => run('vite', ['build', 'console']),
  }),
);
