import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, type GraphQLFormattedError, type ValidationRule } from 'graphql';
import type { Config } from '../config';
import { unstorable } from '../shared/validation';
import type { BaseContext } from '@apollo/server';
import { costLimitPlugin } from './graphql-cost';
import { introspectionLimitPlugin } from './graphql-introspection';

/**
 * Abuse limits on GraphQL documents (OWASP GraphQL cheat sheet): depth, aliases and
 * directives are validation rules (graphql-armor); cost is estimated with the request's
 * variables once the operation is known (graphql-cost.ts); the token count is Apollo's
 * own parser limit, so an oversized document is refused before it is even parsed.
 * Introspection (`__schema`, `__type`) is bounded by the standard introspection query's own
 * depth and size instead (graphql-introspection.ts), since that query is deep by nature;
 * introspection itself is off in production unless enabled.
 */
export function graphqlLimits(
  config: Pick<Config, 'graphqlLimits' | 'env'>,
  /** The schema's value types, for the cost estimate (graphql-cost.ts). */
  valueTypes?: ReadonlySet<string>,
): {
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin<BaseContext>[];
  parseOptions: { maxTokens: number };
} {
  const limits = config.graphqlLimits;
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    // Every alias counts, `__typename` ones too: an alias named so still repeats a field.
    maxAliases: { n: limits.maxAliases, allowList: [] },
    maxDirectives: { n: limits.maxDirectives },
    // The cost limit is ours (graphql-cost.ts): armor's cannot see list sizes.
    costLimit: { enabled: false },
    // Apollo's parser limit below does this without a second lexer pass.
    maxTokens: { enabled: false },
    // "Did you mean …?" leaks the schema; Apollo hides it in production too.
    blockFieldSuggestion: { enabled: config.env === 'production' },
  });
  const { plugins, validationRules } = armor.protect();
  return {
    plugins: [...plugins, introspectionLimitPlugin, costLimitPlugin(limits, valueTypes)],
    validationRules: [...validationRules, noUnstorableStrings],
    parseOptions: { maxTokens: limits.maxTokens },
  };
}

/**
 * A string literal in the document may spell NUL as an escape (`"\u0000"`), which the
 * request-body check cannot see: refuse it here, as the edge refuses it in variables.
 */
const noUnstorableStrings: ValidationRule = (context) => ({
  StringValue(node) {
    const message = unstorable(node.value);
    if (message) context.reportError(new GraphQLError(message, { nodes: node, extensions: { code: 'BAD_USER_INPUT' } }));
  },
});

const LIMIT_MESSAGES: [RegExp, string][] = [
  [/^Syntax Error: Query depth limit/, 'depth'],
  // graphql-js's own rule (Apollo validates with it): `fields` / `interfaces` / … nested three deep.
  [/^Maximum introspection depth exceeded/, 'depth'],
  [/^Syntax Error: Aliases limit/, 'aliases'],
  [/^Syntax Error: Directives limit/, 'directives'],
  [/^(?:Syntax Error: )?Query Cost limit/, 'cost'],
  [/^Syntax Error: Document contains more th(?:at|an) \d+ tokens/, 'tokens'],
];

/**
 * graphql-armor and the parser word every limit as a "Syntax Error"; the client gets
 * the plain sentence and `extensions.limit` naming which limit it hit.
 */
export function describeLimitError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const hit = LIMIT_MESSAGES.find(([pattern]) => pattern.test(formatted.message));
  if (!hit) return formatted;
  const message = formatted.message.replace(/^Syntax Error: /, '').replace('more that', 'more than');
  return { ...formatted, message, extensions: { ...formatted.extensions, limit: hit[1] } };
}
