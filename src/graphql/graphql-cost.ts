import type { ApolloServerPlugin } from '@apollo/server';
import pLimit from 'p-limit';
import { BREAK, GraphQLError, type GraphQLField, type GraphQLSchema, Kind, type ValueNode, getNamedType, getNullableType, isLeafType, isListType, type DocumentNode, SchemaMetaFieldDef, TypeMetaFieldDef, visit } from 'graphql';
import { type ComplexityEstimator, fieldExtensionsEstimator, getComplexity } from 'graphql-query-complexity';
import type { GraphQLLimits } from '../config';
import type { BaseContext } from '@apollo/server';
import { RateLimitedError } from '../errors';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../shared/pagination';

/**
 * How many objects a plain list (not a connection) is estimated to hold: the largest page
 * any list answers. Lists capped lower, or uncapped ones whose length can be counted
 * (usage buckets), declare their own cost on the field (`complexity`).
 */
export const PLAIN_LIST_SIZE = MAX_PAGE_SIZE;

/** `__schema` and `__type` cost nothing here: graphql-introspection.ts measures what they answer exactly. */
const introspectionEstimator: ComplexityEstimator = ({ field }) => (field === SchemaMetaFieldDef || field === TypeMetaFieldDef ? 0 : undefined);

/** A connection's page size argument. */
const FIRST = 'first';

/**
 * The cost of a field whose list size the schema knows only from its arguments: a Relay
 * connection returns up to `first` nodes (edges and nodes alike; without `first`, its
 * default page), so what is selected under it is paid that many times. Nested connections multiply.
 * `first` is the only argument an estimator here reads (see readsVariables).
 */
const connectionEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (!isConnection(field)) return undefined;
  const first = typeof args[FIRST] === 'number' && args[FIRST] > 0 ? args[FIRST] : DEFAULT_PAGE_SIZE;
  return 1 + first * childComplexity;
};

/**
 * Every other field: a leaf is free, an object costs 1 (one resolution, often one lookup)
 * plus what is selected under it, and a list of objects costs that for each object it can
 * hold — PLAIN_LIST_SIZE of them, except a connection's `edges` and `nodes`, which the
 * connection itself multiplies by its page size. A list of value types (objects holding
 * only values, nothing fetched: `valueTypes`) is a list of scalars with names: the one
 * resolution that produced it, plus what its fields declare for each item it can hold.
 */
const objectEstimator =
  (valueTypes: ReadonlySet<string>): ComplexityEstimator =>
  ({ type, field, childComplexity }) => {
    const named = getNamedType(field.type);
    if (isLeafType(named)) return 0;
    const plainList = isListType(getNullableType(field.type)) && !type.name.endsWith('Connection');
    if (plainList && valueTypes.has(named.name)) return 1 + PLAIN_LIST_SIZE * childComplexity;
    return (plainList ? PLAIN_LIST_SIZE : 1) * (1 + childComplexity);
  };

function isConnection(field: GraphQLField<unknown, unknown>): boolean {
  return getNamedType(field.type).name.endsWith('Connection');
}

const NO_VALUE_TYPES: ReadonlySet<string> = new Set();

/** The graphql-query-complexity's refusal of a document whose fragments expand past its node limit. */
const TOO_MANY_NODES = 'Query exceeds the maximum allowed number of nodes.';

/** What an estimate is made for: the operation (of several in the document), the request's context, the schema's value types. */
export interface CostOptions {
  operationName?: string;
  context?: BaseContext;
  /** Object types holding only values, nothing fetched (see objectEstimator). */
  valueTypes?: ReadonlySet<string>;
}

function hasVariable(value: ValueNode): boolean {
  if (value.kind === Kind.VARIABLE) return true;
  if (value.kind === Kind.LIST) return value.values.some(hasVariable);
  return value.kind === Kind.OBJECT && value.fields.some((f) => hasVariable(f.value));
}

/**
 * Whether the estimate of `document` can depend on its variables: through a page size
 * (`first`, read by connectionEstimator) or a directive (`@skip`/`@include` leave fields out).
 * Other arguments, a mutation's input for one, do not change what an answer can hold.
 */
function readsVariables(document: DocumentNode): boolean {
  let reads = false;
  const found = () => {
    reads = true;
    return BREAK;
  };
  visit(document, {
    Field: (field) => (field.arguments?.some((a) => a.name.value === FIRST && hasVariable(a.value)) ? found() : undefined),
    Directive: (directive) => (directive.arguments?.some((a) => hasVariable(a.value)) ? found() : undefined),
  });
  return reads;
}

/**
 * Estimates that cannot change, by the value types they were made with, schema, parsed
 * document (Apollo hands the same DocumentNode for a document it has seen) and operation
 * name. Walking a document with type information was ~7 % of a cache-hit `viewer`'s CPU
 * (bench/README.md, issue 25).
 */
const steadyCosts = new WeakMap<ReadonlySet<string>, WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, number>>>>();

function steadyCostsOf(valueTypes: ReadonlySet<string>, schema: GraphQLSchema, document: DocumentNode): Map<string, number> {
  const bySchema = steadyCosts.get(valueTypes) ?? steadyCosts.set(valueTypes, new WeakMap()).get(valueTypes)!;
  const byDocument = bySchema.get(schema) ?? bySchema.set(schema, new WeakMap()).get(schema)!;
  return byDocument.get(document) ?? byDocument.set(document, new Map()).get(document)!;
}

/**
 * The estimated cost of `document`'s operation with its variables; Infinity for a document
 * too large to estimate (its fragments expand past the estimator's node limit); null when
 * the variables do not fit the operation (execution refuses it before any resolver runs).
 * Kept for the document when its variables cannot change it (readsVariables) and no field's
 * cost is a function (a usage list's bucket count depends on the clock).
 */
export function estimateCost(schema: GraphQLSchema, query: DocumentNode, variables: Record<string, unknown>, { operationName, context, valueTypes = NO_VALUE_TYPES }: CostOptions = {}): number | null {
  const known = steadyCostsOf(valueTypes, schema, query);
  const cached = known.get(operationName ?? '');
  if (cached !== undefined) return cached;
  let steady = !readsVariables(query);
  const fieldExtensions = fieldExtensionsEstimator();
  const declared: ComplexityEstimator = (args) => {
    if (typeof args.field.extensions?.complexity === 'function') steady = false;
    return fieldExtensions(args);
  };
  let cost: number;
  try {
    cost = getComplexity({ schema, query, variables, operationName, estimators: [introspectionEstimator, declared, connectionEstimator, objectEstimator(valueTypes)], context });
  } catch (error) {
    return error instanceof GraphQLError && error.message === TOO_MANY_NODES ? Infinity : null;
  }
  if (steady) known.set(operationName ?? '', cost);
  return cost;
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
export function costLimitPlugin(limits: Pick<GraphQLLimits, 'maxCost' | 'heavyCost' | 'heavyConcurrency'>, valueTypes: ReadonlySet<string> = NO_VALUE_TYPES): ApolloServerPlugin<BaseContext> {
  const heavyTurns = pLimit(limits.heavyConcurrency);
  return {
    async requestDidStart() {
      let endTurn: (() => void) | undefined;
      return {
        async didResolveOperation({ request, document, schema, operationName, contextValue }) {
          const cost = estimateCost(schema, document, request.variables ?? {}, { operationName: operationName ?? undefined, context: contextValue, valueTypes });
          if (cost === null) return;
          if (cost > limits.maxCost) {
            throw new GraphQLError(`Query Cost limit of ${limits.maxCost} exceeded, found ${Number.isFinite(cost) ? cost : 'more than can be counted'}.`, {
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
