// @ts-check
'use strict';

/**
 * Tenant A of figure 8, in a process of its own as another tenant's client would be: `loops`
 * GraphQL requests outstanding at all times, each on its own keep-alive socket, every answer
 * read and parsed. Forked by figure-tenant-isolation.js with the request in argv; it sends
 * 'running' once the first answer is in, and on 'stop' its count of answered queries, then exits.
 *
 *   node tenant-load.js <graphql url> <key> <query> <variables JSON> <loops>
 */

const { HttpClient } = require('./http');

const [url, key, query, variables, loops] = process.argv.slice(2);
const { origin, pathname } = new URL(url);
const client = new HttpClient(origin, Number(loops));
const body = JSON.stringify({ query, variables: JSON.parse(variables) });
const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
let running = true;
let answered = 0;

const loop = async () => {
  while (running) {
    const res = await client.request('POST', pathname, headers, body);
    const { errors } = JSON.parse(res.body);
    if (res.status !== 200 || errors) throw new Error(`tenant A's query answered ${res.status}: ${res.body.slice(0, 200)}`);
    if (++answered === 1) process.send?.('running');
  }
};

process.on('message', (message) => {
  if (message === 'stop') running = false;
});
Promise.all(Array.from({ length: Number(loops) }, loop)).then(
  () => {
    client.close();
    process.send?.({ answered }, () => process.exit(0));
  },
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
