// @ts-check
'use strict';

/**
 * Every child process, scratch database and temp dir registers its disposal here, so
 * an error, Ctrl-C or SIGTERM still stops the servers and drops the databases. Disposal
 * runs last-in first-out: servers stop before the database they use is dropped.
 */

/** @type {Array<{ label: string, dispose: () => Promise<void> | void }>} */
const stack = [];
/** Children still alive, for the synchronous last resort in process.on('exit'). */
const livePids = new Set();

/**
 * Registers a disposal; returns a function that runs it now (once) and unregisters it.
 * @param {string} label
 * @param {() => Promise<void> | void} dispose
 * @returns {() => Promise<void>}
 */
function defer(label, dispose) {
  // One shared promise: the figure's own finally and the signal handler's cleanup may
  // both reach the same disposal, and a database must not be dropped twice at once.
  /** @type {Promise<void> | undefined} */
  let running;
  const once = () => (running ??= Promise.resolve().then(dispose));
  const entry = { label, dispose: once };
  stack.push(entry);
  return () => {
    const i = stack.indexOf(entry);
    if (i >= 0) stack.splice(i, 1);
    return once();
  };
}

/** Runs every registered disposal, newest first; one failure does not stop the rest. */
async function disposeAll() {
  while (stack.length > 0) {
    const entry = /** @type {{ label: string, dispose: () => Promise<void> | void }} */ (stack.pop());
    try {
      await entry.dispose();
    } catch (error) {
      process.stderr.write(`bench cleanup: ${entry.label}: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
}

let signalled = false;

/**
 * Throws once a signal has arrived: the figure in progress fails fast instead of
 * creating databases or servers that cleanup, already running, would not see.
 */
function checkNotAborted() {
  if (signalled) throw new Error('aborted by signal');
}

function aborted() {
  return signalled;
}

/** Ctrl-C / SIGTERM: clean up, then exit with the conventional 128+signal code. */
function installSignalHandlers() {
  for (const [signal, code] of /** @type {const} */ ([['SIGINT', 130], ['SIGTERM', 143]])) {
    process.on(signal, () => {
      if (signalled) return; // a second Ctrl-C while cleaning up: let cleanup finish
      signalled = true;
      process.stderr.write(`\nbench: ${signal}, cleaning up...\n`);
      void disposeAll().finally(() => process.exit(code));
    });
  }
  // If we exit without cleaning up (a bug, process.exit elsewhere), at least do not
  // leave servers running: kill is synchronous, unlike dropping a database.
  process.on('exit', () => {
    for (const pid of livePids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

module.exports = { defer, disposeAll, installSignalHandlers, livePids, checkNotAborted, aborted };
