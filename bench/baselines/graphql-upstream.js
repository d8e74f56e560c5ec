// @ts-check
'use strict';

/**
 * The upstream of figure 10: a small graphql-js API on node:http, the same process in
 * front of which Keygate's gateway and Hive Gateway are measured. BENCH_SDL is its schema
 * (with the directives Keygate reads; graphql-js ignores them).
 */

const http = require('node:http');
const { buildSchema, graphql } = require('graphql');

const schema = buildSchema(process.env.BENCH_SDL || 'type Query { hello: String }');
const products = new Map(['1', '2', '3'].map((id) => [id, { id, name: `product ${id}`, price: Number(id) * 100 }]));
const rootValue = { product: (/** @type {{ id: string }} */ { id }) => products.get(id) ?? null, hello: 'world' };

const server = http.createServer((req, res) => {
  const chunks = /** @type {Buffer[]} */ ([]);
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    /** @type {{ query?: string, variables?: Record<string, unknown>, operationName?: string }} */
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end();
      return;
    }
    void graphql({ schema, source: body.query ?? '', variableValues: body.variables, operationName: body.operationName, rootValue }).then((result) => {
      const text = JSON.stringify(result);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}/graphql` })}\n`);
});
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
