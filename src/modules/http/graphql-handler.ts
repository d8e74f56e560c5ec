import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ApolloServer, HeaderMap } from '@apollo/server';
import type { EntityManager } from '@mikro-orm/core';
import { parse } from 'graphql';
import type { Context, Runtime } from '../../context';
import type { Orm } from '../../database/orm';
import { AuthReason, ErrorCode, RefusalError } from '../../errors';
import { errorForLog } from '../../logger';
import { redact } from '../../shared/redact';
import { findUnstorable } from '../../shared/validation';
import type { AuthOutcome } from '../auth/auth-pipeline';
import { requestCredential } from '../auth/credential';
import type { Principal } from '../auth/principal';
import { consoleSessionPrincipal } from '../console/console-auth';
import { setExplorerHeaders } from './explorer';
import { isIntrospectionOnly } from './graphql-introspection';
import { type ClientAddress, credentialHeaders, headerValue, readBody, sendGraphQLError } from './request';

/** A query string that parses (within the token limit) to an introspection-only document. */
function isIntrospectionQuery(query: unknown, maxTokens: number): boolean {
  if (typeof query !== 'string') return false;
  try {
    return isIntrospectionOnly(parse(query, { maxTokens }));
  } catch {
    return false;
  }
}

/** GET's parameters, with `variables` and `extensions` read as the JSON they are. */
function getParams(url: URL): Record<string, unknown> {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  for (const name of ['variables', 'extensions']) {
    try {
      if (typeof params[name] === 'string') params[name] = JSON.parse(params[name] as string);
    } catch {
      // Apollo answers a 400 for parameters it cannot read.
    }
  }
  return params;
}

/** A NUL or lone surrogate in the document or the variables: 400 BAD_USER_INPUT before anything runs. */
function refuseUnstorable(res: ServerResponse, found: { at: string | null; message: string }): void {
  const field = found.at?.replace(/^variables\./, '') ?? null;
  const named = field !== null && field !== found.at && redact(field) === field ? { field } : {};
  sendGraphQLError(res, 400, found.message, { code: ErrorCode.BAD_USER_INPUT, ...named });
}

const WHAT_TO_SEND = 'send a JSON body such as {"query": "{ viewer { type } }", "variables": {}} with Content-Type: application/json';

/** A GraphQL POST Apollo could not read: 400 naming what to send (never echoing what was sent). */
function refuseBody(res: ServerResponse, problem: string): void {
  sendGraphQLError(res, 400, `${problem}: ${WHAT_TO_SEND}`, { code: 'BAD_REQUEST' });
}

/** A request in Apollo's automatic persisted queries (APQ) protocol: `extensions.persistedQuery`. */
function asksForPersistedQuery(params: unknown): boolean {
  const extensions = typeof params === 'object' && params !== null ? (params as { extensions?: unknown }).extensions : undefined;
  return typeof extensions === 'object' && extensions !== null && 'persistedQuery' in extensions;
}

/**
 * The management API keeps no persisted queries (Apollo's are off): 400 saying so, before
 * any credential is read, so an APQ client learns to send its documents whole.
 */
function refusePersistedQuery(res: ServerResponse): void {
  sendGraphQLError(res, 400, 'Persisted queries (APQ) are not supported: send the whole document in "query", without extensions.persistedQuery', {
    code: 'PERSISTED_QUERY_NOT_SUPPORTED',
  });
}

/** One request's EntityManager, forked on first use: `viewer` on a cached key needs none. */
class LazyFork {
  private forked: EntityManager | undefined;
  constructor(private readonly orm: Orm) {}
  get em(): EntityManager {
    return (this.forked ??= this.orm.em.fork());
  }
  /** From here on the request uses `em` (a query moves to the query pool: graphql-query-pool.ts). */
  set em(em: EntityManager) {
    this.forked = em;
  }
}

/**
 * The GraphQL context. `em` is a getter on the prototype, not an own property: Apollo
 * copies the context's own properties per operation (Object.assign), which would read,
 * and so fork, an own getter at once; the copy shares the same LazyFork.
 */
class RequestContext implements Context {
  constructor(
    private readonly fork: LazyFork,
    readonly principal: Principal | null,
    readonly requestId: string,
    readonly ip: string | null,
    readonly origin: string | undefined,
    readonly runtime: Runtime,
  ) {}

  get em(): EntityManager {
    return this.fork.em;
  }

  set em(em: EntityManager) {
    this.fork.em = em;
  }
}

export interface RequestInfo extends ClientAddress {
  requestId: string;
}

/**
 * Serves /graphql through Apollo's HTTP-agnostic entry point. Authentication happens in
 * the context function: a missing or bad credential fails the whole request with 401
 * before anything executes.
 */
export function graphqlHandler(apollo: ApolloServer<Context>, runtime: Runtime) {
  const { orm, config } = runtime;

  return async (req: IncomingMessage, res: ServerResponse, url: URL, info: RequestInfo): Promise<void> => {
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown = undefined;
    if (req.method === 'POST') {
      const raw = await readBody(req);
      const type = (headerValue(req, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
      // Apollo's own answers here talk about CSRF or "POST body missing"; say what to send instead.
      if (type !== 'application/json') return refuseBody(res, `Content-Type must be application/json (got ${type ? 'another type' : 'none'})`);
      if (raw.trim() === '') return refuseBody(res, 'The request body is empty');
      try {
        body = JSON.parse(raw);
      } catch {
        return refuseBody(res, 'The request body is not valid JSON');
      }
    }
    const params = req.method === 'POST' ? body : getParams(url);
    if (asksForPersistedQuery(params)) return refusePersistedQuery(res);
    const unstorable = findUnstorable(params);
    if (unstorable !== null) return refuseUnstorable(res, unstorable);
    const origin = headerValue(req, 'origin');

    const context = async (): Promise<Context> => {
      const fork = new LazyFork(orm);
      const lazyEm = () => fork.em;
      const contextFor = (principal: Principal | null): Context => new RequestContext(fork, principal, info.requestId, info.ip, origin, runtime);
      const credential = requestCredential(credentialHeaders(req));
      // No credential: the explorer loading the schema, or the console's session cookie. The
      // schema needs no credential, so a cookie riding along (the explorer beside a console
      // session) is not judged for it.
      if (!credential.ok && credential.reason === AuthReason.KEY_MISSING) {
        const query = req.method === 'GET' ? url.searchParams.get('query') : (body as { query?: unknown } | undefined)?.query;
        if (config.introspection && isIntrospectionQuery(query, config.graphqlLimits.maxTokens)) return contextFor(null);
        const session = await consoleSessionPrincipal(req, origin, fork.em, runtime);
        if (session) return contextFor(session);
      }
      let outcome: AuthOutcome;
      try {
        outcome = await runtime.authenticator.authenticate(lazyEm, { credential, origin, ip: info.ip, throttleIp: info.throttleIp, requestId: info.requestId });
      } catch (error) {
        // Apollo masks it (INTERNAL_SERVER_ERROR); the log keeps the request id.
        runtime.logger.error({ requestId: info.requestId, err: errorForLog(error) }, 'authentication failed unexpectedly');
        throw error;
      }
      if (!outcome.ok) throw new RefusalError(outcome);
      if (origin) res.setHeader('access-control-allow-origin', origin);
      return contextFor(outcome.principal);
    };

    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context,
    });
    // The only HTML /graphql answers is the explorer page (Apollo's landing page).
    if (result.headers.get('content-type')?.startsWith('text/html')) await setExplorerHeaders(req, res);
    for (const [name, value] of result.headers) res.setHeader(name, value);
    res.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  };
}
