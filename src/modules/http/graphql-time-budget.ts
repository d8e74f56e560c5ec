import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Context } from '../../context';
import { ErrorCode, TimeBudgetError } from '../../errors';

/** PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout. */
const QUERY_CANCELED = '57014';

/**
 * A GraphQL query may run for `budgetMs`: a field that has not started by then is not
 * started at all, so a request that the cost estimate let through but the data made slow
 * cannot hold the database for long. Only the first TIMEOUT is reported, not one per field.
 */
export function timeBudgetPlugin(budgetMs: number): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async executionDidStart({ operation }) {
          // Queries only: a mutation has committed by the time its payload resolves, and
          // cutting that short would lose what it returns once (a new key's secret).
          if (operation?.operation !== 'query') return;
          // From execution on: a heavy operation's wait for its turn (graphql-cost.ts) is not spent.
          const deadline = Date.now() + budgetMs;
          return {
            willResolveField() {
              if (Date.now() > deadline) throw new TimeBudgetError();
            },
          };
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const first = result.errors?.findIndex((e) => e.extensions?.code === ErrorCode.TIMEOUT) ?? -1;
          if (first < 0) return;
          result.errors = result.errors!.filter((e, i) => i === first || e.extensions?.code !== ErrorCode.TIMEOUT);
        },
      };
    },
  };
}

/** A statement that PostgreSQL cancelled for running too long is the same refusal as the budget. */
export function asTimeBudgetError(error: unknown): TimeBudgetError | null {
  const cause = unwrapResolverError(error) as { code?: unknown } | null;
  return cause && typeof cause === 'object' && cause.code === QUERY_CANCELED ? new TimeBudgetError('A database statement of this request ran past its timeout: ask for fewer or smaller lists') : null;
}
