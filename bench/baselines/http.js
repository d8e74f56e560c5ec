// @ts-check
'use strict';

/**
 * Baseline for figure 3: a bare node:http handler that answers GET /auth/verify with
 * the exact JSON body Keygate returned (passed in BASELINE_BODY) and the same
 * content headers, with no key parsing, hashing, cache or database.
 */

const http = require('node:http');

const body = Buffer.from(process.env.BASELINE_BODY || '{"valid":true}');

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/auth/verify') {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length, 'cache-control': 'no-store' });
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
