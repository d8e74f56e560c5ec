// @ts-check
'use strict';

/**
 * Figure 10's other gateway: `hive-gateway proxy <upstream>` of @graphql-hive/gateway (plain
 * proxy mode: no auth, no config file), in a child process of its own. This wrapper picks
 * the port, waits for its /readiness (it has introspected the upstream by then) and prints
 * the `{"url"}` line the bench waits for; SIGTERM stops the gateway.
 */

const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');

const CLI = path.join(__dirname, '..', '..', 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js');
const upstream = process.env.BENCH_UPSTREAM;
if (!upstream) throw new Error('BENCH_UPSTREAM is not set');

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (probe.address());
      probe.close(() => resolve(port));
    });
  });
}

async function main() {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'proxy', upstream, '--host', '127.0.0.1', '--port', String(port)], { stdio: ['ignore', 'inherit', 'inherit'], env: { PATH: process.env.PATH, NODE_ENV: 'production' } });
  child.once('exit', (code) => process.exit(code ?? 1));
  process.once('SIGTERM', () => child.kill('SIGTERM'));
  const origin = `http://127.0.0.1:${port}`;
  for (;;) {
    const ready = await fetch(`${origin}/readiness`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  process.stdout.write(`${JSON.stringify({ url: `${origin}/graphql` })}\n`);
}

void main();
