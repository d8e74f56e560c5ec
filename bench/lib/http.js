// @ts-check
'use strict';

const http = require('node:http');
const { performance } = require('node:perf_hooks');

/**
 * A minimal keep-alive HTTP client for the sequential measurements (figures 4-6 and
 * setup). Plain node:http rather than fetch: less client overhead per request, so a
 * sub-millisecond server difference is not drowned by the measuring side.
 */
class HttpClient {
  /** @param {string} origin e.g. http://127.0.0.1:4000  @param {number} sockets */
  constructor(origin, sockets = 1) {
    this.origin = origin;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  }

  /**
   * @param {'GET'|'POST'} method
   * @param {string} path
   * @param {Record<string, string>} headers
   * @param {string} [body]
   * @returns {Promise<{ status: number, body: string, ms: number }>} ms = round trip as the client saw it
   */
  request(method, path, headers, body) {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = http.request(this.origin + path, { method, headers, agent: this.agent, timeout: 30_000 }, (res) => {
        /** @type {Buffer[]} */
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** GET /auth/verify with the key as a bearer credential. */
  verify(/** @type {string} */ key) {
    return this.request('GET', '/auth/verify', { authorization: `Bearer ${key}` });
  }

  /**
   * A GraphQL operation that must succeed: returns `data`, throws on HTTP or GraphQL errors.
   * @param {string} key
   * @param {string} query
   * @param {Record<string, unknown>} [variables]
   * @returns {Promise<any>}
   */
  async graphql(key, query, variables) {
    const body = JSON.stringify({ query, variables });
    const res = await this.request('POST', '/graphql', { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }, body);
    /** @type {any} */
    let parsed;
    try {
      parsed = JSON.parse(res.body);
    } catch {
      parsed = undefined;
    }
    if (res.status !== 200 || !parsed || parsed.errors) throw new Error(`GraphQL ${res.status}: ${res.body.slice(0, 500)}`);
    return parsed.data;
  }

  close() {
    this.agent.destroy();
  }
}

module.exports = { HttpClient };
