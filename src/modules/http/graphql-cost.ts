import type { ApolloServerPlugin } from '@apollo/server';
import pLimit from 'p-limit';
import { GraphQLError, type GraphQLField, getNamedType, isLeafType, Kind, type DocumentNode } from 'graphql';
import { type ComplexityEstimator, fieldExtensionsEstimator, getComplexity } from 'graphql-query-complexity';
import type { GraphQLLimits } from '../../config';
import type { Context } from '../../context';
import { RateLimitedError } from '../../errors';
import { DEFAULT_PAGE_SIZE } from '../../shared/pagination';

/**
 * The cost of a field whose list size the schema knows only from its arguments: a Relay
 * connection returns up to `first` nodes (edges and nodes alike), so what is selected
 * under it is paid `first` times. Nested connections multiply.
 */
const connectionEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (!isConnection(field)) return undefined;
  const first = typeof args.first === 'number' && args.first > 0 ? args.first : DEFAULT_PAGE_SIZE;
  return 1 + first * childComplexity;
};

/**
 * Every other field: a leaf is free, an object costs 1 (one resolution, often one lookup),
 * plus what is selected under it. Lists of objects whose length the schema cannot know
 * declare their cost on the field itself (`complexity`, read by fieldExtensionsEstimator),
 * as `usage` does by its number of buckets.
 */
const objectEstimator: ComplexityEstimator = ({ field, childComplexity }) => (isLeafType(getNamedType(field.type)) ? 0 : 1 + childComplexity);

function isConnection(field: GraphQLField<unknown, unknown>): boolean {
  return getNamedType(field.type).name.endsWith('Connection') && field.args.some((a) => a.name === 'first');
}

/** Only `__schema` / `__type` / `__typename` at the top: what Sandbox sends to load the schema. */
function isIntrospection(document: DocumentNode): boolean {
  return document.definitions.every(
    (d) => d.kind !== Kind.OPERATION_DEFINITION || d.selectionSet.selections.every((s) => s.kind === Kind.FIELD && s.name.value.startsWith('__')),
  );
}

/** How many heavy operations may wait for a turn before more are refused (429). */
const HEAVY_QUEUE = 20;

/**
 * Refuses, before anything runs, an operation whose estimated cost (with its variables)
 * exceeds `maxCost`: 400 with `extensions.limit: "cost"`, like the other document limits.
 * The estimate counts every object the answer can hold, so lists of lists cannot hide.
 *
 * Operations costing more than `heavyCost` take turns (`heavyConcurrency` at once per
 * process, the rest queued, 429 past the queue): executing a large answer holds the event
 * loop, and this bounds how much of it one tenant's heavy reads can take from everyone
 * else's verifications.
 */
export function costLimitPlugin(limits: Pick<GraphQLLimits, 'maxCost' | 'heavyCost' | 'heavyConcurrency'>): ApolloServerPlugin<Context> {
  const estimators = [fieldExtensionsEstimator(), connectionEstimator, objectEstimator];
  const heavyTurns = pLimit(limits.heavyConcurrency);
  return {
    async requestDidStart() {
      let endTurn: (() => void) | undefined;
      return {
        async didResolveOperation({ request, document, schema, operationName, contextValue }) {
          if (isIntrospection(document)) return;
          let cost: number;
          try {
            cost = getComplexity({ schema, query: document, variables: request.variables ?? {}, operationName: operationName ?? undefined, estimators, context: contextValue });
          } catch {
            // Variables that do not fit the operation: execution refuses the request (400)
            // before any resolver runs, so there is nothing to estimate.
            return;
          }
          if (cost > limits.maxCost) {
            throw new GraphQLError(`Query Cost limit of ${limits.maxCost} exceeded, found ${cost}.`, {
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'cost', http: { status: 400 } },
            });
          }
          if (cost <= limits.heavyCost) return;
          if (heavyTurns.pendingCount >= HEAVY_QUEUE) throw new RateLimitedError(1);
          endTurn = await new Promise<() => void>((started) => void heavyTurns(() => new Promise<void>((end) => started(end))));
        },
        async willSendResponse() {
          endTurn?.();
          endTurn = undefined;
        },
      };
    },
  };
}
