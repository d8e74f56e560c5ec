import type { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { Context, Runtime } from '../../context';
import { AuthReason, ErrorCode, REFUSALS, isAuthReason } from '../../errors';
import { createGraphQLServer } from '../../graphql/apollo';
import { keyRefOf } from '../auth/key-records';
import { VALUE_TYPES } from '../auth/shield';
import { queryPoolPlugin } from './graphql-query-pool';

/**
 * Answers FORBIDDEN with HTTP 403 when the permission map refused everything the
 * operation asked for (nothing of it ran); partial results keep 200.
 */
const forbiddenStatusPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind !== 'single') return;
        const { data, errors } = response.body.singleResult;
        const refused = errors?.find((e) => e.extensions?.code === ErrorCode.FORBIDDEN);
        const key = contextValue.principal ? keyRefOf(contextValue.principal) : null;
        if (refused && key) {
          const reason = String(refused.extensions?.reason);
          contextValue.runtime.authenticator.recordRefusal(key, isAuthReason(reason) ? reason : AuthReason.INSUFFICIENT_ROLE, contextValue);
        }
        if (!errors?.length || !errors.every((e) => e.extensions?.code === ErrorCode.FORBIDDEN)) return;
        const nothingRan = data == null || Object.values(data).every((v) => v === null);
        if (nothingRan) response.http.status = REFUSALS.INSUFFICIENT_ROLE.status;
      },
    };
  },
};

/** The management API's Apollo server: the engine plus its refusal status and query pool. */
export function createManagementApollo(schema: GraphQLSchema, runtime: Runtime): ApolloServer<Context> {
  const { config, logger, clock } = runtime;
  return createGraphQLServer<Context>(schema, { config, logger, clock, endpoint: '/graphql', plugins: [forbiddenStatusPlugin, queryPoolPlugin], valueTypes: new Set(VALUE_TYPES) });
}
