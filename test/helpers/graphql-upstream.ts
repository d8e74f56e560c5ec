import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, graphql } from 'graphql';

/** A loopback address where nothing listens: a port just given back by the system. */
export async function closedPortUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}/graphql`;
}

/** One request the upstream received: the operation as sent, and the headers. */
export interface ReceivedRequest {
  query: string;
  variables: Record<string, unknown> | undefined;
  headers: IncomingMessage['headers'];
}

export interface GraphQLUpstream {
  url: string;
  received: ReceivedRequest[];
  /** Holds every answer until `release` (a slow upstream, for the gateway's timeout). */
  hold(): void;
  /** Until `release`, closes each connection once a request has arrived, without answering (it was received, then lost). */
  drop(): void;
  release(): void;
  close(): Promise<void>;
}

/**
 * A real GraphQL server on a loopback port (graphql-js over node:http), answering the
 * operations of `sdl` with `rootValue` and recording what it received: what the gateway
 * sends it, and what it never sends, is what the gateway's tests look at.
 */
export async function startGraphQLUpstream(sdl: string, rootValue: Record<string, unknown>): Promise<GraphQLUpstream> {
  const schema = buildSchema(sdl);
  const received: ReceivedRequest[] = [];
  let held: Promise<void> | null = null;
  let dropping = false;
  let releaseHeld = () => {};
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; variables?: Record<string, unknown>; operationName?: string };
      received.push({ query: body.query, variables: body.variables, headers: req.headers });
      if (dropping) return void req.socket.destroy();
      if (held) await held;
      const result = await graphql({ schema, source: body.query, rootValue, variableValues: body.variables, operationName: body.operationName });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(result));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    received,
    hold() {
      held = new Promise((resolve) => (releaseHeld = resolve));
    },
    drop() {
      dropping = true;
    },
    release() {
      releaseHeld();
      held = null;
      dropping = false;
    },
    async close() {
      releaseHeld();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
