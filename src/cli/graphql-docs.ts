import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
  buildSchema,
  isEnumType,
  isInputObjectType,
  isObjectType,
  isScalarType,
} from 'graphql';
import { SCHEMA_FILE } from './schema-file';

/**
 * The type reference of docs/graphql-api.md, rendered from schema/schema.graphql (the
 * descriptions in the code), between two markers; the prose around it is written by hand.
 * `keygate docs:emit` rewrites it and a test fails when it is stale.
 */

export const GRAPHQL_DOC = join(__dirname, '..', '..', 'docs', 'graphql-api.md');
const START = '<!-- generated from schema/schema.graphql by `npm run docs`: do not edit below -->';
const END = '<!-- end of generated reference -->';

const oneLine = (text: string | null | undefined) => (text ?? '').replace(/\s*\n\s*/g, ' ').replaceAll('|', '\\|').trim();
const BUILT_IN = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);

/** `[ApiKey!]!`, linked to the ApiKey section (built-in scalars are not linked). */
function typeRef(type: { toString(): string }): string {
  const text = type.toString();
  const named = text.replace(/[[\]!]/g, '');
  return BUILT_IN.has(named) ? `\`${text}\`` : `[\`${text}\`](#${named.toLowerCase()})`;
}

function args(list: readonly GraphQLArgument[]): string {
  return list.length ? `(${list.map((a) => `${a.name}: ${a.type.toString()}`).join(', ')})` : '';
}

function fieldTable(fields: (GraphQLField<unknown, unknown> | GraphQLInputField)[]): string[] {
  const rows = fields.map((f) => `| \`${f.name}${'args' in f ? args(f.args) : ''}\` | ${typeRef(f.type)} | ${oneLine(f.description)} |`);
  return ['| field | type | description |', '| --- | --- | --- |', ...rows];
}

function section(type: GraphQLNamedType): string[] {
  const head = [`### ${type.name}`, '', ...(type.description ? [oneLine(type.description), ''] : [])];
  if (isObjectType(type) || isInputObjectType(type)) return [...head, ...fieldTable(Object.values(type.getFields())), ''];
  if (isEnumType(type)) return [...head, ...type.getValues().map((v) => `- \`${v.name}\`${v.description ? ` — ${oneLine(v.description)}` : ''}`), ''];
  if (isScalarType(type)) return [...head, `Scalar${type.specifiedByURL ? ` (${type.specifiedByURL})` : ''}.`, ''];
  return head;
}

export function renderGraphqlReference(schema: GraphQLSchema): string {
  const types = Object.values(schema.getTypeMap()).filter((t) => !t.name.startsWith('__') && !BUILT_IN.has(t.name));
  const order = (t: GraphQLNamedType) => (t.name === 'Query' ? 0 : t.name === 'Mutation' ? 1 : isObjectType(t) ? 2 : isInputObjectType(t) ? 3 : isEnumType(t) ? 4 : 5);
  const sorted = types.sort((a, b) => order(a) - order(b) || a.name.localeCompare(b.name));
  const groups = ['Operations', 'Operations', 'Object types', 'Input types', 'Enums', 'Scalars'];
  const lines: string[] = [];
  let group = '';
  for (const type of sorted) {
    if (groups[order(type)] !== group) {
      group = groups[order(type)];
      lines.push(`## ${group}`, '');
    }
    lines.push(...section(type));
  }
  return lines.join('\n');
}

/** The document with its generated part brought up to date. */
export function withGeneratedReference(document: string): string {
  const schema = buildSchema(readFileSync(SCHEMA_FILE, 'utf8'));
  const start = document.indexOf(START);
  const head = start >= 0 ? document.slice(0, start) : `${document.trimEnd()}\n\n`;
  return `${head}${START}\n\n${renderGraphqlReference(schema)}\n${END}\n`;
}

export function emitGraphqlDocs(file = GRAPHQL_DOC): string {
  writeFileSync(file, withGeneratedReference(readFileSync(file, 'utf8')));
  return file;
}
