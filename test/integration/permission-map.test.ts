import 'reflect-metadata';
import { type GraphQLObjectType, type GraphQLSchema, isObjectType } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { permissionMap } from '../../src/modules/auth/shield';
import { buildBareSchema } from '../../src/modules/management/schema';

/**
 * DESIGN.md, "Who may do what": every field has an explicit rule in the one
 * graphql-shield permission map, and anything missing is denied. A field without a rule
 * is therefore a silent FORBIDDEN for everyone (or, were the fallback ever relaxed, an
 * open door). This file keeps the map and the schema in step, in both directions.
 */

/** A rule (Rule or LogicRule instance) rather than a plain `{ field: rule }` map. */
const isFieldMap = (entry: unknown): entry is Record<string, unknown> =>
  typeof entry === 'object' && entry !== null && Object.getPrototypeOf(entry) === Object.prototype;

const ROOT_TYPES = ['Query', 'Mutation'];

let schema: GraphQLSchema;
let objectTypes: GraphQLObjectType[];

beforeAll(async () => {
  schema = await buildBareSchema();
  objectTypes = Object.values(schema.getTypeMap())
    .filter(isObjectType)
    .filter((type) => !type.name.startsWith('__'));
});

const map = permissionMap as Record<string, unknown>;

describe('the permission map', () => {
  it('sees the schema it is checked against (sanity)', () => {
    const names = objectTypes.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['Query', 'Mutation', 'Viewer', 'App', 'ApiKey']));
  });

  it('names an explicit rule for every field of every object type', () => {
    const missing: string[] = [];
    for (const type of objectTypes) {
      const entry = map[type.name];
      if (entry === undefined) {
        missing.push(...Object.keys(type.getFields()).map((field) => `${type.name}.${field}`));
        continue;
      }
      if (!isFieldMap(entry)) continue; // one rule for the whole type
      for (const field of Object.keys(type.getFields())) {
        if (!(field in entry) && !('*' in entry)) missing.push(`${type.name}.${field}`);
      }
    }
    expect(missing, `fields without a rule (denied to everyone by the fallback): ${missing.join(', ')}`).toEqual([]);
  });

  it('gives every Query and Mutation field its own rule, not a type-wide or "*" one', () => {
    const missing: string[] = [];
    for (const name of ROOT_TYPES) {
      const type = schema.getType(name);
      if (!type || !isObjectType(type)) continue;
      const entry = map[name];
      for (const field of Object.keys(type.getFields())) {
        if (!isFieldMap(entry) || !(field in entry)) missing.push(`${name}.${field}`);
      }
    }
    expect(missing, `operations without a field-level rule: ${missing.join(', ')}`).toEqual([]);
  });

  it('has no stale rules: every type and field it names exists in the schema', () => {
    const stale: string[] = [];
    for (const [typeName, entry] of Object.entries(map)) {
      const type = schema.getType(typeName);
      if (!type || !isObjectType(type)) {
        stale.push(typeName);
        continue;
      }
      if (!isFieldMap(entry)) continue;
      const fields = type.getFields();
      for (const field of Object.keys(entry)) {
        if (field !== '*' && !(field in fields)) stale.push(`${typeName}.${field}`);
      }
    }
    expect(stale, `rules for types or fields that do not exist: ${stale.join(', ')}`).toEqual([]);
  });

  it('holds only rules: no undefined or non-rule values hide in a field map', () => {
    const broken: string[] = [];
    for (const [typeName, entry] of Object.entries(map)) {
      const rules = isFieldMap(entry) ? Object.entries(entry) : [['(type)', entry] as const];
      for (const [field, rule] of rules) {
        if (typeof rule !== 'object' || rule === null || isFieldMap(rule)) broken.push(`${typeName}.${field}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
