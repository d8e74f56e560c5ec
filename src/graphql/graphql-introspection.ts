import type { ApolloServerPlugin } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import {
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  execute,
  getArgumentValues,
  getIntrospectionQuery,
  getNamedType,
  GraphQLError,
  type IntrospectionOptions,
  isObjectType,
  Kind,
  parse,
  print,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
} from 'graphql';
import type { BaseContext } from '@apollo/server';

/**
 * Introspection gets limits like any query. Its answer can be measured exactly before it
 * runs (the schema is the data), and no client needs more than the standard introspection
 * query (graphql-js getIntrospectionQuery, which GraphiQL, graphql-codegen and Sandbox send):
 * a selection of `__schema` / `__type` nested deeper than that query, or whose answer would
 * hold more values than that query's answer, is refused before anything runs. The standard
 * query itself, in any of its option variants, is answered from a result computed once per
 * schema, so the schema load that needs no key costs next to nothing.
 */

/** The one definition of "introspection only": queries whose top-level fields are all `__schema` / `__type` / `__typename`. */
export function isIntrospectionOnly(document: DocumentNode): boolean {
  return document.definitions.every(
    (d) =>
      d.kind === Kind.FRAGMENT_DEFINITION ||
      (d.kind === Kind.OPERATION_DEFINITION &&
        d.operation === 'query' &&
        d.selectionSet.selections.every((s) => s.kind === Kind.FIELD && s.name.value.startsWith('__'))),
  );
}

type Fragments = Record<string, FragmentDefinitionNode>;

/** The introspection fields' resolvers read nothing of `info` but the schema. */
const infoOf = (schema: GraphQLSchema) => ({ schema }) as GraphQLResolveInfo;

/** Thrown by the meter once the count passes its limit: nothing more needs walking. */
class OverLimit extends Error {}

/**
 * Counts the values (objects, list items, scalars) an operation's `__schema` / `__type`
 * fields would answer, by walking the document over the schema with the introspection
 * resolvers themselves, and how deep the answer nests (only fields over values count:
 * a deep selection under a null answers nothing). Every field visited adds one,
 * and the walk stops past `limit`, so measuring costs no more than the limit allows.
 * Repeated fields count each time (an upper bound: execution would merge them); @skip and
 * @include are not read (an upper bound too).
 */
class IntrospectionMeter {
  values = 0;
  depth = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: Fragments,
    private readonly variables: Record<string, unknown>,
    private readonly limit: number,
  ) {}

  /** The top level: only `__schema` and `__type` are introspection (other fields are the cost estimate's). */
  root(set: SelectionSetNode): void {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === SchemaMetaFieldDef.name || name === TypeMetaFieldDef.name) {
          this.field(undefined, name === SchemaMetaFieldDef.name ? SchemaMetaFieldDef : TypeMetaFieldDef, selection, 1);
        }
      } else {
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : this.fragments[selection.name.value];
        if (fragment) this.root(fragment.selectionSet);
      }
    }
  }

  private selections(source: unknown, type: GraphQLObjectType, set: SelectionSetNode, depth: number): void {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const field = selection.name.value === TypeNameMetaFieldDef.name ? TypeNameMetaFieldDef : type.getFields()[selection.name.value];
        if (field) this.field(source, field, selection, depth);
      } else {
        // Introspection types are object types: a fragment on one applies to it (validation checked the condition).
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : this.fragments[selection.name.value];
        if (fragment) this.selections(source, type, fragment.selectionSet, depth);
      }
    }
  }

  private field(source: unknown, field: GraphQLField<unknown, unknown>, node: FieldNode, depth: number): void {
    this.add(1);
    this.depth = Math.max(this.depth, depth);
    const type = getNamedType(field.type);
    if (!node.selectionSet || !isObjectType(type) || !field.resolve) return;
    const value = field.resolve(source, getArgumentValues(field, node, this.variables), undefined, infoOf(this.schema));
    const items: unknown[] = Array.isArray(value) ? value : value == null ? [] : [value];
    this.add(items.length);
    for (const item of items) this.selections(item, type, node.selectionSet, depth + 1);
  }

  private add(n: number): void {
    this.values += n;
    if (this.values > this.limit) throw new OverLimit();
  }
}

/** Every option variant of the standard query, as printed (whitespace and comments normalised). */
const OPTION_NAMES = ['descriptions', 'specifiedByUrl', 'directiveIsRepeatable', 'schemaDescription', 'inputValueDeprecation', 'oneOf'] as const;
const STANDARD_QUERIES: ReadonlySet<string> = new Set(
  Array.from({ length: 2 ** OPTION_NAMES.length }, (_, bits) => {
    const options: IntrospectionOptions = Object.fromEntries(OPTION_NAMES.map((name, i) => [name, (bits & (1 << i)) !== 0]));
    return print(parse(getIntrospectionQuery(options)));
  }),
);
const FULLEST_QUERY = parse(getIntrospectionQuery(Object.fromEntries(OPTION_NAMES.map((name) => [name, true]))));

function fragmentsOf(document: DocumentNode): Fragments {
  return Object.fromEntries(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d]] : [])));
}

function operationOf(document: DocumentNode): OperationDefinitionNode {
  return document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
}

/** What one schema allows an introspection to answer: the standard query's own size and nesting. */
interface IntrospectionBounds {
  values: number;
  depth: number;
}

const boundsBySchema = new WeakMap<GraphQLSchema, IntrospectionBounds>();
const answersBySchema = new WeakMap<GraphQLSchema, Map<string, Promise<ExecutionResult>>>();

function boundsOf(schema: GraphQLSchema): IntrospectionBounds {
  let bounds = boundsBySchema.get(schema);
  if (!bounds) {
    const meter = new IntrospectionMeter(schema, fragmentsOf(FULLEST_QUERY), {}, Infinity);
    meter.root(operationOf(FULLEST_QUERY).selectionSet);
    bounds = { values: meter.values, depth: meter.depth };
    boundsBySchema.set(schema, bounds);
  }
  return bounds;
}

function limitError(message: string, limit: 'cost' | 'depth'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit, http: { status: 400 } } });
}

/** Refuses an operation whose introspection is deeper or larger than the standard query's (400, `extensions.limit`). */
function checkIntrospection(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): void {
  const bounds = boundsOf(schema);
  const meter = new IntrospectionMeter(schema, fragmentsOf(document), variables, bounds.values);
  try {
    meter.root(operation.selectionSet);
  } catch (error) {
    // Variables that do not fit the operation: execution refuses the request (400) before any resolver runs.
    if (!(error instanceof OverLimit)) return;
    throw limitError(`Query Cost limit of ${bounds.values} for introspection exceeded: ask no more than the standard introspection query does.`, 'cost');
  }
  if (meter.depth > bounds.depth) {
    throw limitError(`Query depth limit of ${bounds.depth} for introspection exceeded, found ${meter.depth}.`, 'depth');
  }
}

/**
 * Bounds every operation's introspection (checkIntrospection) and answers a standard
 * introspection query from the result computed the first time it was asked.
 */
export const introspectionLimitPlugin: ApolloServerPlugin<BaseContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ schema, document, operation, request }) {
        if (operation) checkIntrospection(schema, document, operation, request.variables ?? {});
      },
      async responseForOperation({ schema, document }) {
        if (!isIntrospectionOnly(document)) return null;
        const text = print(document);
        if (!STANDARD_QUERIES.has(text)) return null;
        let answers = answersBySchema.get(schema);
        if (!answers) answersBySchema.set(schema, (answers = new Map()));
        let answer = answers.get(text);
        if (!answer) answers.set(text, (answer = Promise.resolve(execute({ schema, document }))));
        const { data } = await answer;
        return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data } } };
      },
    };
  },
};
