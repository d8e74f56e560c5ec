import { createServer as createPlainServer, IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { ApolloServer } from '@apollo/server';
import type { EntityManager } from '@mikro-orm/core';
import type { Context, Runtime } from '../../context';
import { errorForLog } from '../../logger';
import { AuthReason, REFUSALS, authMessage } from '../../errors';
import { JWKS_TTL_SECONDS } from '../sessions/signing-key.store';
import { consoleHandler } from '../console/console-http';
import { graphqlHandler } from '../management/graphql-handler';
import { openApiDocument } from './openapi';
import { serveExplorerAsset } from '../../graphql/explorer';
import { type ClientAddress, plainPath, requestIdOf } from './request';
import { BodyTooLargeError, ClientAbortedError, sendGraphQLError, sendJson } from '../../shared/http';
import { KeygateResponse } from './keygate-response';
import { sendRefusal, sendRestError } from './rest-errors';
import { forwardRoute } from './routes/forward';
import { introspectRoute } from './routes/introspect';
import { authorizationServerMetadata } from './routes/oauth-metadata';
import type { RouteHandler } from './routes/route';
import type { MaybePromise } from '../../shared/maybe-promise';
import { sessionAccessRoute } from './routes/session-access';
import { verifyRoute } from './routes/verify';
import { secretScanningRoute } from '../secret-scanning/secret-scanning.route';

const CORS_ALLOW_HEADERS = 'authorization, content-type, x-api-key, x-request-id, apollo-require-preflight, x-apollo-operation-name';

/** REST routes: path → method → handler, and a fixed metrics label per path. */
const REST: Record<string, { label: string; methods: Record<string, RouteHandler> }> = {
  '/auth/verify': { label: 'auth_verify', methods: { GET: verifyRoute } },
  '/auth/forward': { label: 'auth_forward', methods: { GET: forwardRoute, POST: forwardRoute } },
  '/session_access': { label: 'session_access', methods: { POST: sessionAccessRoute } },
  '/oauth/introspect': { label: 'oauth_introspect', methods: { POST: introspectRoute } },
  '/secret-scanning/github': { label: 'secret_scanning', methods: { POST: secretScanningRoute } },
};

/** Where the gateway serves the product's own GraphQL API. */
const GATEWAY_PATH = '/gateway/graphql';

/** Reachable over plain HTTP even in production, for probes and scrapers on the private side. */
const PLAIN_HTTP_OK = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Preflights carry no credential, so they are answered for any origin; the real
 * request then decides (a key's allowed origins, the console origins) and echoes the
 * origin only when it is allowed.
 */
function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  res.writeHead(204, {
    ...(origin ? { 'access-control-allow-origin': origin } : {}),
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': CORS_ALLOW_HEADERS,
    'access-control-max-age': '600',
    vary: 'Origin',
  });
  res.end();
}

function refuseHttp(res: ServerResponse, graphql: boolean): void {
  const reason = AuthReason.HTTPS_REQUIRED;
  if (!graphql) return sendRefusal(res, { reason });
  const { status, graphql: code } = REFUSALS[reason];
  sendGraphQLError(res, status, authMessage(reason), { code, reason });
}

/** The HTTP server, plus the first step of a graceful stop. */
export interface KeygateHttpServer extends Server {
  /**
   * Stop reusing connections: responses still to be written say `Connection: close`
   * and each connection is closed once its response is done, so pooled clients go
   * elsewhere instead of sending new requests to a server that is stopping.
   */
  drain(): void;
}

/** The gateway's edge, when KEYGATE_GATEWAY_UPSTREAM is set. */
export interface GatewayEdge {
  handle: (req: IncomingMessage, res: ServerResponse, url: URL, info: { requestId: string; secure: boolean; host: string | null } & ClientAddress) => Promise<void>;
  /** Whether the upstream's schema is loaded (/readyz is 503 until it is). */
  ready: () => boolean;
}

export function createHttpServer(apollo: ApolloServer<Context>, runtime: Runtime, gateway: GatewayEdge | null = null): KeygateHttpServer {
  const { logger, orm, config, metrics } = runtime;
  const graphql = graphqlHandler(apollo, runtime);
  const consolePages = consoleHandler(runtime);
  const { proxies } = runtime;
  const production = config.env === 'production';

  let draining = false;
  const pending = new Set<ServerResponse>();

  /**
   * One request: routed, answered, then counted. Not async: a route that answers at once
   * (a cached key at /auth/verify) is served without creating a promise.
   */
  const handle = (req: IncomingMessage, res: KeygateResponse): void => {
    const started = process.hrtime.bigint();
    pending.add(res);
    res.once('close', () => {
      pending.delete(res);
      if (draining) server.closeIdleConnections();
    });
    if (draining) res.setHeader('connection', 'close');
    const requestId = requestIdOf(req);
    res.setCommonHeaders(['x-request-id', requestId, 'vary', 'Origin']);
    // Most requests name a plain path: read it as is, and build a URL only when needed.
    let parsed: URL | undefined;
    const fullUrl = () => (parsed ??= new URL(req.url ?? '/', 'http://keygate.invalid'));
    // A target URL cannot read (e.g. "//") is answered 400 below; it used to throw out of
    // this handler, an unhandled rejection that stopped the whole process.
    const plain = plainPath(req.url);
    let path: string | null;
    try {
      path = plain ?? fullUrl().pathname;
    } catch {
      path = null;
    }
    const rest = path === null ? undefined : REST[path];
    let route = rest?.label ?? (path === '/graphql' ? 'graphql' : path === GATEWAY_PATH && gateway ? 'gateway' : 'other');
    // A client IP that spent its budget of guessed keys is refused by the authentication
    // pipeline itself (auth-pipeline.ts), for credentials not already verified here: valid
    // keys from the same address (an office behind one NAT) keep working.
    const client = proxies.clientAddress(req);

    const dispatch = (): MaybePromise<void> => {
      if (path === null) return sendRestError(res, { status: 400, code: 'invalid_request', message: 'Malformed request target' });
      if (production && !PLAIN_HTTP_OK.has(path) && !proxies.isSecure(req)) return refuseHttp(res, path === '/graphql' || path === GATEWAY_PATH);
      if (req.method === 'OPTIONS') return answerPreflight(req, res);
      if (path === '/graphql') return graphql(req, res, fullUrl(), { requestId, ...client });
      if (path === GATEWAY_PATH && gateway) return gateway.handle(req, res, fullUrl(), { requestId, ...client, secure: proxies.isSecure(req), host: proxies.host(req) });
      if (consolePages && (path === '/console' || path.startsWith('/console/'))) {
        route = 'console';
        return consolePages(req, res, fullUrl(), { requestId, ...client });
      }
      if (rest) {
        const handler = rest.methods[req.method ?? 'GET'];
        if (!handler) {
          return sendRestError(res, { status: 405, code: 'invalid_request', message: `Method ${req.method} is not allowed here` }, { allow: Object.keys(rest.methods).join(', ') });
        }
        // Forked on first use: a verification answered from the cache needs no EntityManager.
        let em: EntityManager | undefined;
        return handler({
          req,
          res,
          // A plain path has no query, so no URL is built for it.
          query: (name) => (plain === undefined ? fullUrl().searchParams.get(name) : null),
          queryAll: (name) => (plain === undefined ? fullUrl().searchParams.getAll(name) : []),
          runtime,
          get em() {
            return (em ??= orm.em.fork());
          },
          requestId,
          ...client,
          origin: req.headers.origin,
        });
      }
      if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (path === '/readyz') {
        route = 'readyz';
        return orm
          .isConnected()
          .catch(() => false)
          .then((connected) => {
            const status = !connected ? 'database unreachable' : gateway && !gateway.ready() ? 'gateway upstream schema not loaded' : 'ready';
            sendJson(res, status === 'ready' ? 200 : 503, { status });
          });
      }
      if (path === '/.well-known/jwks.json') {
        route = 'jwks';
        // Public and cacheable: verifiers re-fetch when they meet an unknown kid.
        return runtime.signingKeys.jwks().then((jwks) =>
          sendJson(res, 200, jwks, { 'cache-control': `public, max-age=${JWKS_TTL_SECONDS}`, 'access-control-allow-origin': '*' }),
        );
      }
      if (path === '/.well-known/oauth-authorization-server') {
        route = 'oauth_metadata';
        return sendJson(res, 200, authorizationServerMetadata(runtime.issuer), { 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' });
      }
      if (path === '/openapi.json') {
        route = 'openapi';
        return sendJson(res, 200, openApiDocument, { 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' });
      }
      if (path === '/metrics') {
        route = 'metrics';
        return metrics.exposition(req.headers.accept).then(({ contentType, body }) => {
          res.writeHead(200, { 'content-type': contentType, vary: 'Accept' });
          res.end(body);
        });
      }
      if (config.sandbox && req.method === 'GET' && path.startsWith('/graphiql/') && serveExplorerAsset(path, res)) {
        route = 'explorer';
        return;
      }
      if (path === '/' && config.sandbox) {
        res.writeHead(302, { location: '/graphql' });
        return void res.end();
      }
      sendRestError(res, { status: 404, code: 'not_found', message: 'No such endpoint' });
    };

    const fail = (error: unknown): void => {
      if (error instanceof BodyTooLargeError) return sendRestError(res, { status: 413, code: 'invalid_request', message: error.message });
      if (error instanceof ClientAbortedError) {
        // Nobody is left to answer; 499 (nginx's "client closed request") keeps it apart in the metrics.
        logger.debug({ requestId }, error.message);
        res.statusCode = 499;
        return void res.end();
      }
      logger.error({ requestId, err: errorForLog(error) }, 'request failed');
      if (!res.headersSent) sendRestError(res, { status: 500, code: 'internal_error', message: 'Internal server error' });
      else res.end();
    };

    const finish = (): void => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.observe(route, req.method ?? 'GET', res.statusCode, seconds);
      // Access lines are debug: at info they cost a tenth of /auth/verify's throughput (bench/), and
      // the proxy in front usually logs requests already. Errors are logged on their own.
      if (logger.isLevelEnabled('debug')) {
        logger.debug({ requestId, method: req.method, path, status: res.statusCode, ms: Math.round(seconds * 1e4) / 10 }, 'request');
      }
    };

    let answered: MaybePromise<void>;
    try {
      answered = dispatch();
    } catch (error) {
      fail(error);
      return finish();
    }
    if (answered instanceof Promise) void answered.catch(fail).then(finish);
    else finish();
  };

  const classes = { IncomingMessage, ServerResponse: KeygateResponse };
  const server: Server = config.tls
    ? createHttpsServer({ ...classes, cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) }, handle)
    : createPlainServer(classes, handle);
  return Object.assign(server, {
    drain() {
      draining = true;
      for (const res of pending) if (!res.headersSent) res.setHeader('connection', 'close');
      server.closeIdleConnections();
    },
  });
}
