// @ts-check
'use strict';

const http = require('node:http');
const { performance } = require('node:perf_hooks');
const { checkNotAborted } = require('./cleanup');
const { percentile } = require('./stats');

/**
 * Latency at a fixed request rate (wrk2 is not packaged here): an open-loop client in
 * the bench process that sends `rate` requests per second over `connections` keep-alive
 * sockets for `duration` seconds. Each latency runs from the moment the request was
 * *due*, not when a socket became free, so a server that falls behind shows it in the
 * percentiles instead of silently slowing the client ("coordinated omission").
 */

/**
 * @param {import('./load').Target} target
 * @param {{ rate: number, duration: number, connections: number }} opts
 * @returns {Promise<{ rate: number, sent: number, p50: number, p99: number, bad: number }>}
 */
async function paced(target, { rate, duration, connections }) {
  checkNotAborted();
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const url = new URL(target.url);
  const headers = target.body !== undefined ? { ...target.headers, 'content-length': String(Buffer.byteLength(target.body)) } : target.headers;
  /** @type {number[]} */
  const latencies = [];
  let bad = 0;
  let sent = 0;
  const total = Math.max(1, Math.round(rate * duration));
  const interval = 1000 / rate;

  /** @param {number} due */
  const send = (due) =>
    new Promise((resolve) => {
      const req = http.request(url, { method: target.method, headers, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300) latencies.push(performance.now() - due);
          else bad++;
          resolve(undefined);
        });
      });
      req.on('error', () => {
        bad++;
        resolve(undefined);
      });
      req.end(target.body);
    });

  /** @type {Promise<unknown>[]} */
  const inFlight = [];
  const start = performance.now();
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      // Everything due by now, each stamped with its own due time.
      while (sent < total && start + sent * interval <= now) inFlight.push(send(start + sent++ * interval));
      if (sent >= total) return resolve(undefined);
      setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    tick();
  });
  await Promise.all(inFlight);
  agent.destroy();
  return { rate, sent, p50: percentile(latencies, 50), p99: percentile(latencies, 99), bad };
}

module.exports = { paced };
