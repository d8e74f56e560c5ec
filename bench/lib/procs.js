// @ts-check
'use strict';

const { spawn, execFile } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { checkNotAborted, defer, livePids } = require('./cleanup');

const ROOT = path.resolve(__dirname, '..', '..');
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * @typedef {object} Server
 * @property {string} name
 * @property {number} pid
 * @property {string} url     the URL the server printed (Keygate's is .../graphql)
 * @property {string} origin  http://127.0.0.1:PORT
 * @property {string} logFile
 * @property {() => Promise<void>} stop
 */

/**
 * Starts `node <script>` and waits for the JSON log line carrying `"url"`, which Keygate
 * and the baselines all print once listening (PORT=0 lets the OS pick a free port).
 * Output goes to a file, not a pipe: with LOG_LEVEL=info Keygate logs every request,
 * and reading that through a pipe would load the bench process that also generates the
 * load, while an unread pipe would block the server once full.
 * `node` is the Node.js binary to run it with (default: the one running the bench), `nodeArgs`
 * its flags (e.g. --cpu-prof, which NODE_OPTIONS does not take).
 * @param {{ name: string, script: string, env: NodeJS.ProcessEnv, logDir: string, node?: string, nodeArgs?: string[] }} spec
 * @returns {Promise<Server>}
 */
async function startServer({ name, script, env, logDir, node = process.execPath, nodeArgs = [] }) {
  checkNotAborted();
  const logFile = path.join(logDir, `${name}-${Date.now()}.log`);
  const fd = fs.openSync(logFile, 'w');
  const child = spawn(node, [...nodeArgs, script], { cwd: ROOT, env, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  const pid = /** @type {number} */ (child.pid);
  livePids.add(pid);
  /** @type {number | null} */
  let exitCode = null;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? 128 : 1);
      livePids.delete(pid);
      resolve(undefined);
    });
  });
  const stop = defer(`stop ${name} (pid ${pid})`, async () => {
    if (exitCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  });
  try {
    const url = await waitForUrl(logFile, () => exitCode, name);
    return { name, pid, url, origin: new URL(url).origin, logFile, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * @param {string} logFile
 * @param {() => number | null} exitCode
 * @param {string} name
 */
async function waitForUrl(logFile, exitCode, name) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const text = fs.readFileSync(logFile, 'utf8');
    for (const line of text.split('\n')) {
      if (!line.includes('"url"')) continue;
      try {
        const url = JSON.parse(line).url;
        if (typeof url === 'string') return url;
      } catch {
        // a partly written line: read it again on the next poll
      }
    }
    if (exitCode() !== null) throw new Error(`${name} exited (code ${exitCode()}) before listening:\n${tail(text)}`);
    await sleep(25);
  }
  throw new Error(`${name} did not print its URL within ${START_TIMEOUT_MS} ms:\n${tail(fs.readFileSync(logFile, 'utf8'))}`);
}

/** `node bin/keygate.js bootstrap`: migrates the database and prints only the root key. */
function bootstrap(/** @type {NodeJS.ProcessEnv} */ env) {
  checkNotAborted();
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['bin/keygate.js', 'bootstrap'], { cwd: ROOT, env, timeout: 60_000 }, (error, stdout, stderr) => {
      livePids.delete(child.pid);
      void release();
      const key = stdout.trim();
      if (error || !/^\S*rk_\S+$/.test(key)) reject(new Error(`keygate bootstrap failed: ${error?.message ?? ''}\n${tail(stdout + stderr)}`));
      else resolve(key);
    });
    // Tracked like a server: interrupted mid-migration, it must not outlive the bench
    // and write into a scratch directory that cleanup has already removed.
    livePids.add(child.pid);
    const release = defer(`stop bootstrap (pid ${child.pid})`, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
  });
}

/**
 * Peak and current resident set of a live process, in MB, from /proc (Linux only).
 * VmHWM is the kernel's high-water mark: it catches a spike between two polls.
 * @param {number} pid
 */
function memoryMb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (/** @type {string} */ field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peak: kb('VmHWM') / 1024, current: kb('VmRSS') / 1024 };
}

/** Fails early, with the fix, when there is no build. */
function assertBuilt() {
  for (const file of ['dist/main.js', 'dist/modules/auth/key-format.js', 'bin/keygate.js']) {
    if (!fs.existsSync(path.join(ROOT, file))) {
      throw new Error(`${file} is missing. The bench runs the compiled service: run "npm run build" first.`);
    }
  }
}

const tail = (/** @type {string} */ text) => text.split('\n').slice(-15).join('\n');
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

module.exports = { startServer, bootstrap, memoryMb, assertBuilt, sleep, ROOT };
