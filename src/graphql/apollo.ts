import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { BaseContext } from '@apollo/server';
import type { Config } from '../config';
import { ErrorCode } from '../errors';
import { redact } from '../shared/redact';
import type { Clock } from '../shared/clock';
import { errorForLog, type Logger } from '../logger';
import { explorerLandingPage } from './explorer';
import { describeLimitError, graphqlLimits } from './graphql-limits';
import { asTimeBudgetError, timeBudgetPlugin } from './graphql-time-budget';

/** Codes whose messages were written for the client and may be shown as they are. */
const CLIENT_CODES = new Set<string>([
  ...Object.values(ErrorCode).filter((c) => c !== ErrorCode.INTERNAL_SERVER_ERROR),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

const CONTEXT_PREFIX = 'Context creation failed: ';

/** Codes written for the client; anything else is unexpected and gets logged (with its request id). */
function isClientError(error: GraphQLError): boolean {
  return CLIENT_CODES.has(String(error.extensions?.code ?? ''));
}

const errorLogPlugin = (logger: Logger): ApolloServerPlugin<BaseContext & { requestId: string }> => ({
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors, contextValue }) {
        for (const error of errors) {
          if (isClientError(error)) continue;
          logger.error({ requestId: contextValue.requestId, err: errorForLog(unwrapResolverError(error)), path: error.path }, 'unexpected error in GraphQL operation');
        }
      },
    };
  },
});

/**
 * graphql-js suggests names in several wordings ("Did you mean the enum value …?", "Did you
 * mean "first"?"); in production none reaches a client, since suggestions map the schema.
 */
const SUGGESTION = / ?Did you mean [^?]*\?/g;

/** A client-facing message or extension never carries key material the client sent (it is masked). */
function redactExtensions(extensions: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(extensions).map(([k, v]) => [k, typeof v === 'string' ? redact(v) : v]));
}

export interface EngineOptions<C extends BaseContext> {
  config: Pick<Config, 'graphqlLimits' | 'env' | 'introspection' | 'sandbox'>;
  logger: Logger;
  clock: Clock;
  /** Where the server is served (the explorer's page sends its queries there). */
  endpoint: string;
  /** The server's own plugins, run before the engine's limits. */
  plugins: ApolloServerPlugin<C>[];
  /** Object types holding only values, nothing fetched: a list of them costs like a list of scalars (graphql-cost.ts). */
  valueTypes?: ReadonlySet<string>;
}

/** An Apollo server with the engine's limits, error formatting and masking, for any context carrying a request id. */
export function createGraphQLServer<C extends BaseContext & { requestId: string }>(schema: GraphQLSchema, { config, logger, clock, endpoint, plugins, valueTypes }: EngineOptions<C>): ApolloServer<C> {
  const limits = graphqlLimits(config, valueTypes);
  return new ApolloServer<C>({
    schema,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: config.env === 'development',
    hideSchemaDetailsFromClientErrors: config.env === 'production',
    allowBatchedHttpRequests: false,
    // No automatic persisted queries: each server's handler refuses such requests with 400 first.
    persistedQueries: false,
    // Apollo's own handler stops only Apollo and then re-kills the process with the signal
    // (exit 143/130, usage not flushed); serve() owns SIGTERM/SIGINT and stops everything.
    stopOnTerminationSignals: false,
    logger: {
      debug: (m) => logger.debug(String(m)),
      info: (m) => logger.info(String(m)),
      warn: (m) => logger.warn(String(m)),
      error: (m) => logger.error(String(m)),
    },
    plugins: [
      config.sandbox ? explorerLandingPage(endpoint) : ApolloServerPluginLandingPageDisabled(),
      // Apollo's default cache-control plugin hooks every field (willResolveField), which makes
      // Apollo wrap every resolver of the schema; no answer here is cacheable (no hints; the
      // `no-store` it wrote, graphql-http.ts writes), and the hook was ~25 % of a large
      // query's CPU (bench/README.md).
      ApolloServerPluginCacheControlDisabled(),
      ...plugins,
      errorLogPlugin(logger),
      ...limits.plugins,
      timeBudgetPlugin(config.graphqlLimits.timeBudgetMs, clock),
    ],
    formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
      const timedOut = asTimeBudgetError(error);
      if (timedOut) return { message: timedOut.message, path: formatted.path, locations: formatted.locations, extensions: timedOut.extensions };
      const code = String(formatted.extensions?.code ?? '');
      if (CLIENT_CODES.has(code)) {
        const unprefixed = formatted.message.startsWith(CONTEXT_PREFIX) ? formatted.message.slice(CONTEXT_PREFIX.length) : formatted.message;
        const message = config.env === 'production' ? unprefixed.replace(SUGGESTION, '') : unprefixed;
        const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
        return describeLimitError({ ...formatted, message: redact(message), extensions: redactExtensions(extensions) });
      }
      // Unknown failures are masked: the client gets a code; errorLogPlugin (or the
      // context function) logged them with the request id.
      return {
        message: 'Internal server error',
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
      };
    },
  });
}
