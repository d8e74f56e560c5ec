import { readFile } from 'node:fs/promises';
import { type GraphQLSchema, type IntrospectionQuery, buildASTSchema, buildClientSchema, getIntrospectionQuery, parse } from 'graphql';
import { FieldRules } from './field-rules';
import type { UpstreamExecutor } from './upstream-executor';

/** The upstream's schema as the gateway enforces it, and when it was loaded. */
export interface UpstreamSchema {
  schema: GraphQLSchema;
  rules: FieldRules;
  loadedAt: Date;
  /** Where it came from: an SDL file keeps the directives; introspection does not carry them. */
  source: 'sdl' | 'introspection';
}

/**
 * The SDL as written for Apollo Router or Hive Gateway: Federation's `@link` imports and
 * directive definitions may be there or not, so it is built without SDL validation
 * (an unknown directive is only read, never run).
 */
export async function schemaFromFile(file: string, now: Date): Promise<UpstreamSchema> {
  const schema = buildASTSchema(parse(await readFile(file, 'utf8')), { assumeValidSDL: true });
  return { schema, rules: new FieldRules(schema), loadedAt: now, source: 'sdl' };
}

/** The upstream's schema by introspection: without directives, so only the root fields' `read` / `write` apply. */
export async function schemaByIntrospection(upstream: UpstreamExecutor, now: () => Date): Promise<UpstreamSchema> {
  const answer = await upstream.run({ document: parse(getIntrospectionQuery()), variables: {}, operationName: 'IntrospectionQuery' }, {});
  if (!answer.ok) throw new Error(`the upstream did not answer introspection (${answer.failure})`);
  if (!answer.result.data) throw new Error('the upstream refused introspection: set KEYGATE_GATEWAY_SCHEMA to its SDL file');
  const schema = buildClientSchema(answer.result.data as unknown as IntrospectionQuery);
  return { schema, rules: new FieldRules(schema), loadedAt: now(), source: 'introspection' };
}
