// The bookkeeping behind scripts/build.js: a step runs only when the SHA-256 of its inputs
// differs from the stamp its last successful run wrote beside its outputs. Content hashes
// rather than mtimes: a checkout can leave old mtimes on new content.
'use strict';
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, readdirSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

/** Every file under `dir` (recursively), skipping the named directories. */
function filesUnder(dir, skip = []) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return skip.includes(entry.name) ? [] : filesUnder(path, skip);
    return [path];
  });
}

/** One hash over the paths (relative to `root`) and contents of `files`, in a stable order. */
function hashOf(root, files) {
  const hash = createHash('sha256');
  for (const file of [...files].sort()) hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

/**
 * Runs `build` unless every stamp holds the hash of `inputs` (or `force`), then writes the
 * stamps; a build that throws writes none, so the next run tries again. The hash is taken
 * before building: an input edited meanwhile makes the next run build again. Returns whether
 * it built.
 */
function step({ root, inputs, stamps, build, force = false }) {
  const digest = hashOf(root, inputs);
  const current = stamps.every((stamp) => existsSync(stamp) && readFileSync(stamp, 'utf8') === digest);
  if (current && !force) return false;
  build();
  for (const stamp of stamps) writeFileSync(stamp, digest);
  return true;
}

module.exports = { filesUnder, hashOf, step };
