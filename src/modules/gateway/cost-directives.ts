import { type DirectiveNode, type DocumentNode, GraphQLError, type GraphQLField, type GraphQLSchema, getNamedType, getNullableType, isLeafType, isListType, valueFromASTUntyped } from 'graphql';
import { type ComplexityEstimator, getComplexity } from 'graphql-query-complexity';

/** A list's size when neither `@listSize` nor a slicing argument says it. */
export const DEFAULT_LIST_SIZE = 10;

/** Slicing arguments read without `@listSize(slicingArguments:)`: the usual paging names. */
const USUAL_SLICING = ['first', 'last', 'limit'];

type Annotated = { astNode?: { directives?: readonly DirectiveNode[] } | null };

function directiveArgs(element: Annotated | undefined, name: string): Record<string, unknown> | null {
  const directive = element?.astNode?.directives?.find((d) => d.name.value === name);
  if (!directive) return null;
  return Object.fromEntries((directive.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]));
}

/** The largest slicing argument given, or the list's assumed size. */
function listSize(field: Annotated, args: Record<string, unknown>): number {
  const listSizeArgs = directiveArgs(field, 'listSize');
  const slicing = Array.isArray(listSizeArgs?.slicingArguments) ? listSizeArgs.slicingArguments.map(String) : USUAL_SLICING;
  const given = slicing.map((name) => args[name]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0);
  if (given.length > 0) return Math.max(...given);
  return typeof listSizeArgs?.assumedSize === 'number' ? listSizeArgs.assumedSize : DEFAULT_LIST_SIZE;
}

/**
 * IBM's GraphQL cost directives as Apollo Router and Hive read them: a field weighs its
 * `fieldWeight`; a list field pays its weight and its selection for each item it can hold.
 */
const costDirectivesEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (field.name.startsWith('__')) return 0;
  const size = isListType(getNullableType(field.type)) ? listSize(field, args) : 1;
  return size * (fieldWeight(field) + childComplexity);
};

/** What one use of a field weighs, before its selection and list size: its `@cost(weight:)` or its type's, else 1 for an object and 0 for a leaf. */
export function fieldWeight(field: GraphQLField<unknown, unknown>): number {
  const named = getNamedType(field.type);
  const weight = directiveArgs(field, 'cost')?.weight ?? directiveArgs(named, 'cost')?.weight;
  return typeof weight === 'number' ? weight : isLeafType(named) ? 0 : 1;
}

/** graphql-query-complexity's refusal of a document whose selections expand past its node limit. */
const TOO_MANY_NODES = 'Query exceeds the maximum allowed number of nodes.';

/**
 * The estimated cost of the operation with its variables; Infinity for one too large to
 * estimate; null when the variables do not fit it (the upstream refuses it before running anything).
 */
export function estimateOperationCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>, operationName: string | undefined): number | null {
  try {
    return getComplexity({ schema, query: document, variables, operationName, estimators: [costDirectivesEstimator] });
  } catch (error) {
    if (error instanceof GraphQLError) return error.message === TOO_MANY_NODES ? Infinity : null;
    throw error;
  }
}
