import 'reflect-metadata';
import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { estimateCost, PLAIN_LIST_SIZE } from '../../src/graphql/graphql-cost';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../src/shared/pagination';

/**
 * Issue 20, F4: the estimate counts every object an answer can hold, so every list is
 * estimated at its largest size — a connection at its `first` (its default page without
 * one), a plain list of objects at PLAIN_LIST_SIZE — and nested lists multiply.
 */
const schema = buildSchema(`
  type Query { things: [Thing!]! page(first: Int): ThingConnection! }
  type Thing { id: ID! tags: [String!]! labels: [Label!]! parent: Thing children(first: Int): ThingConnection! }
  type Label { name: String! description: String }
  type ThingConnection { nodes: [Thing!]! edges: [ThingEdge!]! totalCount: Int! }
  type ThingEdge { node: Thing! cursor: String! }
`);

const cost = (query: string, variables: Record<string, unknown> = {}) => estimateCost(schema, parse(query), variables, { valueTypes: new Set(['Label']) });

describe('the cost estimate', () => {
  it('estimates a plain list of objects at its largest size, the largest page', () => {
    expect(PLAIN_LIST_SIZE).toBe(MAX_PAGE_SIZE);
    expect(cost('{ things { id } }')).toBe(PLAIN_LIST_SIZE);
    expect(cost('{ things { id parent { id } } }')).toBe(PLAIN_LIST_SIZE * 2);
  });

  it('counts no cost for scalars, lists of scalars included', () => {
    expect(cost('{ things { id tags } }')).toBe(PLAIN_LIST_SIZE);
  });

  it('counts a list of value types (objects holding only values, nothing fetched) once, like a list of scalars', () => {
    expect(cost('{ things { labels { name description } } }')).toBe(PLAIN_LIST_SIZE * (1 + 1));
    expect(cost('{ page(first: 100) { nodes { labels { name } } } }')).toBe(1 + 100 * (1 + 1));
    // Any other object type, its fields all values or not, is a row each: counted by the list's size.
    expect(estimateCost(schema, parse('{ things { labels { name } } }'), {})).toBe(PLAIN_LIST_SIZE * (1 + PLAIN_LIST_SIZE));
  });

  it('estimates a connection at `first`, or at its default page without it', () => {
    expect(cost('{ page(first: 5) { nodes { id } } }')).toBe(1 + 5);
    expect(cost('query($n: Int) { page(first: $n) { edges { node { id } } } }', { n: 5 })).toBe(1 + 5 * 2);
    expect(cost('{ page { totalCount nodes { id } } }')).toBe(1 + DEFAULT_PAGE_SIZE);
  });

  it('multiplies nested lists: a plain list over a connection holds each of its pages', () => {
    expect(cost('{ things { children(first: 100) { nodes { id } } } }')).toBe(PLAIN_LIST_SIZE * (1 + (1 + 100)));
    expect(cost('{ things { children { nodes { id } } } }')).toBe(PLAIN_LIST_SIZE * (1 + (1 + DEFAULT_PAGE_SIZE)));
  });

  it('leaves introspection to its own bound (graphql-introspection.ts)', () => {
    expect(cost('{ __schema { types { name fields { name } } } __type(name: "Thing") { name } }')).toBe(0);
  });

  it('answers Infinity for a document whose fragments expand past what can be counted', () => {
    const fragments = Array.from({ length: 8 }, (_, i) => `fragment F${i} on Thing { id ${i < 7 ? `...F${i + 1} `.repeat(6) : ''}}`).join(' ');
    expect(cost(`{ things { ...F0 } } ${fragments}`)).toBe(Infinity);
  });
});

/**
 * Issue 25: an estimate that cannot change is kept per parsed document (Apollo hands the same
 * DocumentNode for a document it has seen); everything it could depend on still counts.
 */
describe('estimates kept per document', () => {
  it('estimates each named operation of one document on its own', () => {
    const document = parse('query Few { page(first: 2) { nodes { id } } } query Many { page(first: 9) { nodes { id } } }');
    expect(estimateCost(schema, document, {}, { operationName: 'Few' })).toBe(1 + 2);
    expect(estimateCost(schema, document, {}, { operationName: 'Many' })).toBe(1 + 9);
    expect(estimateCost(schema, document, {}, { operationName: 'Few' })).toBe(1 + 2);
  });

  it('estimates one document against each schema by that schema', () => {
    const document = parse('{ things { id } }');
    const small = buildSchema('type Query { things: Thing } type Thing { id: ID! }');
    expect(estimateCost(schema, document, {})).toBe(PLAIN_LIST_SIZE);
    expect(estimateCost(small, document, {})).toBe(1);
  });

  it('estimates one document by the value types it is given', () => {
    const document = parse('{ things { labels { name } } }');
    expect(estimateCost(schema, document, {})).toBe(PLAIN_LIST_SIZE * (1 + PLAIN_LIST_SIZE));
    expect(estimateCost(schema, document, {}, { valueTypes: new Set(['Label']) })).toBe(PLAIN_LIST_SIZE * 2);
  });

  it('estimates a document again for each request\'s variables where they set a page size or a directive', () => {
    const page = parse('query($n: Int) { page(first: $n) { nodes { id } } }');
    expect(estimateCost(schema, page, { n: 3 })).toBe(1 + 3);
    expect(estimateCost(schema, page, { n: 40 })).toBe(1 + 40);
    const skipped = parse('query($all: Boolean!) { things { id } page(first: 5) @include(if: $all) { nodes { id } } }');
    expect(estimateCost(schema, skipped, { all: true })).toBe(PLAIN_LIST_SIZE + 1 + 5);
    expect(estimateCost(schema, skipped, { all: false })).toBe(PLAIN_LIST_SIZE);
  });

  it('estimates once a document whose variables only fill other arguments (a mutation\'s input), or that has none', () => {
    const withInput = buildSchema('type Query { one: Token } type Mutation { mint(input: MintInput!): Token! } input MintInput { userId: String! } type Token { token: String! }');
    const mint = parse('mutation($input: MintInput!) { mint(input: $input) { token } }');
    const one = parse('{ one { token } }');
    expect(estimateCost(withInput, mint, { input: { userId: 'u1' } })).toBe(1);
    expect(estimateCost(withInput, one, {})).toBe(1);
    // Were they estimated again, a cost declared since would show.
    withInput.getMutationType()!.getFields().mint.extensions = { complexity: 50 };
    withInput.getQueryType()!.getFields().one.extensions = { complexity: 50 };
    expect(estimateCost(withInput, mint, { input: { userId: 'u2' } })).toBe(1);
    expect(estimateCost(withInput, one, {})).toBe(1);
    expect(estimateCost(withInput, parse('{ one { token } }'), {})).toBe(50);
  });

  it('estimates again a field whose cost is a function (a usage list: its bucket count depends on the clock)', () => {
    const counted = buildSchema('type Query { usage: [Int!]! }');
    let buckets = 24;
    counted.getQueryType()!.getFields().usage.extensions = { complexity: () => buckets };
    const document = parse('{ usage }');
    expect(estimateCost(counted, document, {})).toBe(24);
    buckets = 25;
    expect(estimateCost(counted, document, {})).toBe(25);
  });
});
