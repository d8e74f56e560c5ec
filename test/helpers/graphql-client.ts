import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

export interface GraphQLErrorShape {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; reason?: string; field?: string; [k: string]: unknown };
}

export interface GraphQLResult<TData> {
  status: number;
  headers: Headers;
  data: TData | null | undefined;
  errors: GraphQLErrorShape[] | undefined;
}

/** A GraphQL-over-HTTP client for tests, typed by the generated documents. */
export class GraphQLClient {
  constructor(
    readonly url: string,
    readonly key?: string,
    readonly headers: Record<string, string> = {},
  ) {}

  async request<TData, TVars>(
    document: TypedDocumentNode<TData, TVars>,
    ...[variables]: TVars extends Record<string, never> ? [] | [TVars] : [TVars]
  ): Promise<GraphQLResult<TData>> {
    return this.raw<TData>(print(document), variables as Record<string, unknown> | undefined);
  }

  async raw<TData = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResult<TData>> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.key ? { authorization: `Bearer ${this.key}` } : {}),
        ...this.headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: TData | null; errors?: GraphQLErrorShape[] };
    return { status: response.status, headers: response.headers, data: body.data, errors: body.errors };
  }

  /** Like request(), but fails the test on any GraphQL error and returns data. */
  async ok<TData, TVars>(
    document: TypedDocumentNode<TData, TVars>,
    ...[variables]: TVars extends Record<string, never> ? [] | [TVars] : [TVars]
  ): Promise<TData> {
    const result = await this.raw<TData>(print(document), variables as Record<string, unknown> | undefined);
    if (result.errors?.length || !result.data) {
      throw new Error(`GraphQL request failed (${result.status}): ${JSON.stringify(result.errors)}`);
    }
    return result.data;
  }
}

/** The code of the first error, for `expect(codeOf(r)).toBe('NOT_FOUND')`. */
export function codeOf(result: GraphQLResult<unknown>): string | undefined {
  return result.errors?.[0]?.extensions?.code;
}

export function reasonOf(result: GraphQLResult<unknown>): string | undefined {
  return result.errors?.[0]?.extensions?.reason;
}
