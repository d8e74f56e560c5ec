// @ts-check
'use strict';

/**
 * Baseline for figure 3: a bare node:http handler doing only what no key service can
 * skip: take the Bearer key, compute its HMAC-SHA-256, look the hash up in a Map, and
 * build the JSON answer from the record found (per request, like Keygate), with the
 * same content headers. The bench passes the key and Keygate's own answer
 * (BASELINE_BODY), so both sides send the same bytes.
 */

const crypto = require('node:crypto');
const http = require('node:http');

const hmacSecret = crypto.randomBytes(32);
const hash = (/** @type {string} */ key) => crypto.createHmac('sha256', hmacSecret).update(key, 'utf8').digest('hex');
/** @type {Map<string, Record<string, unknown>>} */
const keys = new Map([[hash(process.env.BASELINE_KEY || 'sk_test_baseline'), JSON.parse(process.env.BASELINE_BODY || '{"valid":true}')]]);
const unauthorized = Buffer.from('{"error":{"code":"authentication_failed","message":"Invalid API key"}}');

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/auth/verify') {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const record = match ? keys.get(hash(match[1])) : undefined;
    if (!record) {
      res.writeHead(401, { 'content-type': 'application/json; charset=utf-8', 'content-length': unauthorized.length });
      res.end(unauthorized);
      return;
    }
    const body = JSON.stringify({ ...record });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(body);
    return;
  }
  res.writeHead(404).end();
});

// Keygate's keep-alive timeout is Node's default; keep the same so connection reuse matches.
server.listen(0, '127.0.0.1', () => {
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}/auth/verify` })}\n`);
});
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
