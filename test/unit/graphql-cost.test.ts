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
