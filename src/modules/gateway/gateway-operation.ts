import {
  type DocumentNode,
  type ExecutionResult,
  GraphQLError,
  type GraphQLFieldConfig,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
  Kind,
  execute,
  getOperationAST,
  isInterfaceType,
  isObjectType,
  parse,
  specifiedRules,
  validate,
  validateSchema,
} from 'graphql';
import { MapperKind, mapSchema, pruneSchema } from '@graphql-tools/utils';
import { AuthReason, ErrorCode } from '../../errors';
import { isIntrospectionOnly } from '../../graphql/graphql-introspection';
import { type AuthorizedOperation, authorizeOperation } from './field-rules';
import { estimateOperationCost } from './cost-directives';
import type { UpstreamSchema } from './upstream-schema';

/** What the gateway answers without the upstream: an HTTP status and GraphQL errors. */
export interface Refused {
  status: number;
  errors: GraphQLFormattedError[];
}

/** An operation ready for the upstream: what remains of it, what was removed, what it costs. */
export interface PlannedOperation {
  document: DocumentNode;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  removed: GraphQLFormattedError[];
  cost: number;
}

export type Plan = { kind: 'upstream'; operation: PlannedOperation } | { kind: 'local'; result: ExecutionResult } | { kind: 'refused'; refused: Refused };

export interface OperationLimits {
  maxTokens: number;
  validationRules: readonly ValidationRule[];
  introspection: boolean;
}

const refused = (status: number, message: string, extensions: Record<string, unknown>): Plan => ({ kind: 'refused', refused: { status, errors: [{ message, extensions }] } });

/** The schema as one set of scopes sees it: what introspection through the gateway shows. */
const visibleSchemas = new WeakMap<UpstreamSchema, Map<string, GraphQLSchema | null>>();
const MAX_CACHED_VIEWS = 1000;

function visibleSchema(upstream: UpstreamSchema, scopes: ReadonlySet<string>): GraphQLSchema | null {
  const key = [...scopes].sort().join(' ');
  let byScopes = visibleSchemas.get(upstream);
  if (!byScopes) visibleSchemas.set(upstream, (byScopes = new Map()));
  if (byScopes.has(key)) return byScopes.get(key)!;
  const { schema, rules } = upstream;
  const keepField = (config: GraphQLFieldConfig<unknown, unknown>, fieldName: string, typeName: string) => {
    const type = schema.getType(typeName);
    const field = isObjectType(type) || isInterfaceType(type) ? type.getFields()[fieldName] : undefined;
    return type && field && rules.allows(type, field, scopes) ? config : null;
  };
  // Scope sets are few in practice (roles, plus custom grants); a flood of distinct ones starts the cache over.
  if (byScopes.size >= MAX_CACHED_VIEWS) byScopes.clear();
  let visible: GraphQLSchema | null;
  try {
    visible = pruneSchema(mapSchema(schema, { [MapperKind.COMPOSITE_FIELD]: keepField }));
    // A type left without fields makes the schema invalid: such a credential sees no schema.
    if (validateSchema(visible).length > 0) visible = null;
  } catch {
    visible = null;
  }
  byScopes.set(key, visible);
  return visible;
}

/** Documents that parsed and validated against an upstream schema, by their text (clients send the same few). */
const checkedDocuments = new WeakMap<UpstreamSchema, Map<string, DocumentNode>>();
const MAX_CACHED_DOCUMENTS = 1000;

/**
 * The request's text parsed and validated against the upstream's schema: the same for
 * every credential, so done once per text (what Hive Gateway and Apollo Router cache too);
 * only documents that passed are kept, and a flood of distinct texts starts the cache over.
 */
function checkedDocument(upstream: UpstreamSchema, query: string, limits: OperationLimits): { document: DocumentNode } | Plan {
  let byText = checkedDocuments.get(upstream);
  if (!byText) checkedDocuments.set(upstream, (byText = new Map()));
  const known = byText.get(query);
  if (known) return { document: known };
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: limits.maxTokens });
  } catch (error) {
    return refused(400, error instanceof GraphQLError ? error.message : 'The document does not parse', { code: 'GRAPHQL_PARSE_FAILED' });
  }
  const errors = validate(upstream.schema, document, [...specifiedRules, ...limits.validationRules]);
  if (errors.length > 0) return { kind: 'refused', refused: { status: 400, errors: errors.map((e) => ({ ...e.toJSON(), extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...e.extensions } })) } };
  if (byText.size >= MAX_CACHED_DOCUMENTS) byText.clear();
  byText.set(query, document);
  return { document };
}

/** Authorizations of a checked document, by operation and scope set: a credential's rules do not change per request. */
const authorizations = new WeakMap<DocumentNode, Map<string, AuthorizedOperation>>();
const MAX_SCOPE_SETS_PER_DOCUMENT = 100;

/**
 * What the scopes leave of the operation, computed once per (text, operation, scope set);
 * the same kept document then goes upstream each time, which the HTTP executor prints once.
 */
function authorizedFor(upstream: UpstreamSchema, document: DocumentNode, single: DocumentNode, operation: OperationDefinitionNode, scopes: ReadonlySet<string>): AuthorizedOperation {
  let byScopes = authorizations.get(document);
  if (!byScopes) authorizations.set(document, (byScopes = new Map()));
  const key = `${operation.name?.value ?? ''}|${[...scopes].sort().join(' ')}`;
  const known = byScopes.get(key);
  if (known) return known;
  const authorized = authorizeOperation(upstream.schema, upstream.rules, single, operation, scopes);
  if (byScopes.size >= MAX_SCOPE_SETS_PER_DOCUMENT) byScopes.clear();
  byScopes.set(key, authorized);
  return authorized;
}

/**
 * From a request's parameters to what the upstream is sent: parsed and validated against
 * the upstream's schema, the fields the scopes do not allow removed, the rest costed.
 * Introspection is answered here, from the schema the scopes see.
 */
export function planOperation(
  upstream: UpstreamSchema,
  params: { query?: unknown; operationName?: unknown; variables?: unknown },
  scopes: ReadonlySet<string>,
  limits: OperationLimits,
  method: string,
): Plan {
  if (typeof params.query !== 'string' || params.query.trim() === '') return refused(400, 'Send the operation in "query"', { code: 'BAD_REQUEST' });
  const operationName = typeof params.operationName === 'string' ? params.operationName : undefined;
  const variables = params.variables && typeof params.variables === 'object' && !Array.isArray(params.variables) ? (params.variables as Record<string, unknown>) : {};
  const checked = checkedDocument(upstream, params.query, limits);
  if ('kind' in checked) return checked;
  const { document } = checked;
  const { schema } = upstream;
  const operation = getOperationAST(document, operationName);
  if (!operation) return refused(400, operationName ? `No operation named "${operationName}"` : 'Name the operation to run in "operationName"', { code: 'OPERATION_RESOLUTION_FAILURE' });
  if (operation.operation === 'subscription') return refused(400, 'Subscriptions are not supported by the gateway: use a query or a mutation', { code: 'BAD_REQUEST' });
  if (operation.operation === 'mutation' && method !== 'POST') return refused(405, 'Mutations are sent with POST', { code: 'BAD_REQUEST' });
  const single: DocumentNode = { kind: Kind.DOCUMENT, definitions: [...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION), operation] };
  if (isIntrospectionOnly({ kind: Kind.DOCUMENT, definitions: [operation] })) return introspect(upstream, single, operation, variables, scopes, limits);
  if (operation.selectionSet.selections.some((s) => s.kind === Kind.FIELD && (s.name.value === '__schema' || s.name.value === '__type'))) {
    return refused(400, 'Ask for __schema or __type in an operation of its own', { code: 'BAD_USER_INPUT' });
  }
  const authorized = authorizedFor(upstream, document, single, operation, scopes);
  const removed = authorized.removed.map(
    ({ path }): GraphQLFormattedError => ({ message: `The credential may not use ${path.join('.')}: it lacks the scopes the field needs`, path, extensions: { code: ErrorCode.FORBIDDEN, reason: AuthReason.INSUFFICIENT_SCOPE } }),
  );
  if (!authorized.document) return { kind: 'refused', refused: { status: 403, errors: removed } };
  const kept = authorized.document.definitions[0] as OperationDefinitionNode;
  const keptVariables = Object.fromEntries((kept.variableDefinitions ?? []).filter((d) => d.variable.name.value in variables).map((d) => [d.variable.name.value, variables[d.variable.name.value]]));
  const cost = estimateOperationCost(schema, authorized.document, keptVariables, undefined) ?? 0;
  return { kind: 'upstream', operation: { document: authorized.document, operationName: kept.name?.value, variables: keptVariables, removed, cost } };
}

function introspect(upstream: UpstreamSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>, scopes: ReadonlySet<string>, limits: OperationLimits): Plan {
  if (!limits.introspection) return refused(400, 'Introspection is off on this server (KEYGATE_INTROSPECTION)', { code: 'GRAPHQL_VALIDATION_FAILED' });
  const visible = visibleSchema(upstream, scopes);
  if (!visible) return refused(403, 'The credential may use no field of this API', { code: ErrorCode.FORBIDDEN, reason: AuthReason.INSUFFICIENT_SCOPE });
  return { kind: 'local', result: execute({ schema: visible, document, variableValues: variables, operationName: operation.name?.value }) as ExecutionResult };
}
