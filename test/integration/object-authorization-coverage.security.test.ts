import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLNamedType,
  buildSchema,
  getNamedType,
  isInputObjectType,
  isObjectType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { READ_ROWS } from '../helpers/object-authorization-read-rows';
import { WRITE_ROWS } from '../helpers/object-authorization-write-rows';

/**
 * The object-authorization matrix (object-authorization-reads/-writes.security.test.ts) is
 * checked against schema/schema.graphql: a new id- or mode-taking argument fails here until
 * it has a row, and a row for an argument the schema no longer has fails too.
 */
const ROWS = [...READ_ROWS, ...WRITE_ROWS];

const SCHEMA = buildSchema(readFileSync(join(__dirname, '../../schema/schema.graphql'), 'utf8'));

/** Does this (possibly wrapped) type name an object (ID) or a mode (KeyMode)? */
const scoping = (type: GraphQLNamedType) => type.name === 'ID' || type.name === 'KeyMode';

/** `arg` or `arg.field.field` for every ID/KeyMode reachable through an argument's input objects. */
function scopingPaths(name: string, type: GraphQLInputType, seen = new Set<string>()): string[] {
  const named = getNamedType(type);
  if (scoping(named)) return [name];
  if (!isInputObjectType(named) || seen.has(named.name)) return [];
  const next = new Set(seen).add(named.name);
  return Object.values(named.getFields()).flatMap((f) => scopingPaths(`${name}.${f.name}`, f.type, next));
}

/** Every `Type.field(path)` of the schema whose argument names an object or a mode, on every object type (Query, Mutation and nested fields). */
function scopingArguments(): string[] {
  return Object.values(SCHEMA.getTypeMap())
    .filter(isObjectType)
    .filter((t) => !t.name.startsWith('__'))
    .flatMap((t) => Object.values(t.getFields()).flatMap((f) => f.args.flatMap((a: GraphQLArgument) => scopingPaths(a.name, a.type).map((p) => `${t.name}.${f.name}(${p})`))));
}

describe('the matrix covers the schema', () => {
  it('sees the id-taking arguments it is checked against (sanity)', () => {
    expect(scopingArguments()).toEqual(expect.arrayContaining(['Query.apiKey(id)', 'Mutation.createApiKey(input.appId)', 'Mutation.sessionAccess(input.mode)', 'App.usage(mode)']));
  });

  it('has a row for every argument of schema/schema.graphql that names an object (ID) or a mode (KeyMode)', () => {
    const covered = new Set(ROWS.map((r) => r.field));
    const missing = scopingArguments().filter((f) => !covered.has(f));
    expect(missing, 'add a row to ROWS for each (who may call it, which foreign ids to try, what the answer is)').toEqual([]);
  });

  it('has no stale rows: every row names an argument the schema has', () => {
    const all = new Set(scopingArguments());
    expect(ROWS.map((r) => r.field).filter((f) => !all.has(f))).toEqual([]);
  });
});
