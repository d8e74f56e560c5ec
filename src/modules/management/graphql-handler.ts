import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import type { EntityManager } from '@mikro-orm/core';
import { parse } from 'graphql';
import type { Context, Runtime } from '../../context';
import type { Orm } from '../../database/orm';
import { AuthReason, RefusalError } from '../../errors';
import { errorForLog } from '../../logger';
import type { AuthOutcome } from '../auth/auth-pipeline';
import { requestCredential } from '../auth/credential';
import type { Principal } from '../auth/principal';
import { consoleSessionPrincipal } from '../console/console-auth';
import { asksForPersistedQuery, executeOverHttp, readGraphQLRequest, refuseUnstorableParams } from '../../graphql/graphql-http';
import { isIntrospectionOnly } from '../../graphql/graphql-introspection';
import { type ClientAddress, credentialHeaders } from '../http/request';
import { headerValue, sendGraphQLError } from '../../shared/http';

/** A query string that parses (within the token limit) to an introspection-only document. */
function isIntrospectionQuery(query: unknown, maxTokens: number): boolean {
  if (typeof query !== 'string') return false;
  try {
    return isIntrospectionOnly(parse(query, { maxTokens }));
  } catch {
    return false;
  }
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
    const read = await readGraphQLRequest(req, res, url);
    if (!read) return;
    const { body, params } = read;
    if (asksForPersistedQuery(params)) return refusePersistedQuery(res);
    if (!refuseUnstorableParams(res, params)) return;
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
        const session = await consoleSessionPrincipal(req, origin, info, fork.em, runtime);
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

    await executeOverHttp(apollo, req, res, url, body, context);
  };
}
