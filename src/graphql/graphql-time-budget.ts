import type { ApolloServerPlugin } from '@apollo/server';
import { type GraphQLSchema, defaultFieldResolver, isObjectType } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { BaseContext } from '@apollo/server';
import type { Clock } from '../shared/clock';
import { ErrorCode, TimeBudgetError } from '../errors';

/** PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout. */
const QUERY_CANCELED = '57014';

/** Each running query's deadline, and the one error its late fields answer, by its context (the object resolvers get). */
const budgets = new WeakMap<object, { deadline: number; clock: Clock; error?: TimeBudgetError }>();

/**
 * A GraphQL query may run for `budgetMs`: a field that has not started by then is not
 * started at all, so a request that the cost estimate let through but the data made slow
 * cannot hold the database for long. Only the first TIMEOUT is reported, not one per field.
 * The plugin sets the deadline; applyTimeBudget's resolvers enforce it.
 */
export function timeBudgetPlugin(budgetMs: number, clock: Clock): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async executionDidStart({ operation, contextValue }) {
          // Queries only: a mutation has committed by the time its payload resolves, and
          // cutting that short would lose what it returns once (a new key's secret).
          if (operation?.operation !== 'query') return;
          // From execution on: a heavy operation's wait for its turn (graphql-cost.ts) is not spent.
          budgets.set(contextValue, { deadline: clock.now().getTime() + budgetMs, clock });
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

/** Resolvers already made to keep the budget: graphql-js's introspection types are one set of objects shared by every schema in the process. */
const budgeted = new WeakSet<object>();

/**
 * Makes every resolver of `schema` but those of `exempt` types (values already in memory,
 * whose parent did the work) refuse to start once its query's budget has run out;
 * introspection's too, so a schema walk is held to the same budget as any query. The
 * refusal is a rejected promise, never a synchronous throw: when one item of a list throws
 * synchronously, graphql-js 16 abandons the promises of the items before it, and their later
 * rejections go unhandled, which stops a Node process (seen in CI on Node 24 with the
 * throwing willResolveField hook this replaces, which also made Apollo wrap every field).
 */
export function applyTimeBudget(schema: GraphQLSchema, exempt: readonly string[]): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || exempt.includes(type.name)) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.resolve && budgeted.has(field.resolve)) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context: object | undefined, info) => {
        // No context: run outside a request (graphql-introspection.ts measuring a query, or computing a standard answer once).
        const budget = context === undefined ? undefined : budgets.get(context);
        if (budget !== undefined && budget.clock.now().getTime() > budget.deadline) return Promise.reject((budget.error ??= new TimeBudgetError()));
        return resolve(source, args, context, info);
      };
      budgeted.add(field.resolve);
    }
  }
}

/** A statement that PostgreSQL cancelled for running too long is the same refusal as the budget. */
export function asTimeBudgetError(error: unknown): TimeBudgetError | null {
  const cause = unwrapResolverError(error) as { code?: unknown } | null;
  return cause && typeof cause === 'object' && cause.code === QUERY_CANCELED ? new TimeBudgetError('A database statement of this request ran past its timeout: ask for fewer or smaller lists') : null;
}
