import { expect } from 'vitest';
import type { SqlReader } from './process-harness';

/** The log-hygiene suites' target server and the record of every exchange with it (see hygiene-suite.ts). */

export const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id kind mode start publishableKey } } }`;
export const VIEWER = `{ viewer { type keyId mode role } }`;
export const ORIGIN = 'https://shop.example';
export const EVIL = 'https://evil.example';

export interface Target {
  url: string;
  baseUrl: string;
  rootKey: string;
  masterKey: string;
  dialect: 'sqlite' | 'postgresql';
  logLines(): string[];
  sql: SqlReader;
  /** A writable connection of the test's own, to make the database fail on purpose. */
  admin: SqlReader;
  close(): Promise<void>;
}

export interface Exchange {
  label: string;
  method: string;
  path: string;
  sentRequestId?: string;
  status: number;
  headers: Record<string, string>;
  text: string;
  json: any;
}

/** A secret and where it may legitimately be stored. */
export interface Secret {
  label: string;
  fragments: string[];
  /** True where the value belongs (its own column of its own row). */
  storedIn?: (table: string, column: string, row: Record<string, unknown>) => boolean;
  /** Key values and tokens are handed to their owner in success bodies; the rest never leave the server. */
  inResponses: boolean;
}

/** Everything sent and received, so errors and headers can be searched afterwards. */
export class Session {
  readonly exchanges: Exchange[] = [];
  constructor(readonly target: Target) {}

  async http(
    label: string,
    method: string,
    path: string,
    options: { key?: string; headers?: Record<string, string>; body?: string; contentType?: string; requestId?: string } = {},
  ): Promise<Exchange> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
    if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    if (options.requestId !== undefined) headers['x-request-id'] = options.requestId;
    const response = await fetch(`${this.target.baseUrl}${path}`, { method, headers, body: options.body, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    const exchange: Exchange = { label, method, path, sentRequestId: options.requestId, status: response.status, headers: Object.fromEntries(response.headers), text, json };
    this.exchanges.push(exchange);
    return exchange;
  }

  gql(label: string, key: string | undefined, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}, requestId?: string) {
    return this.http(label, 'POST', '/graphql', { key, headers, body: JSON.stringify({ query, variables }), requestId });
  }

  async gqlOk(label: string, key: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<any> {
    const exchange = await this.gql(label, key, query, variables, headers);
    if (exchange.status !== 200 || exchange.json?.errors || !exchange.json?.data) throw new Error(`${label}: ${exchange.status} ${exchange.text}`);
    return exchange.json.data;
  }

  async gqlFails(label: string, key: string | undefined, query: string, variables: Record<string, unknown> | undefined, expected: { code?: string; reason?: string }, headers: Record<string, string> = {}) {
    const exchange = await this.gql(label, key, query, variables, headers);
    const error = exchange.json?.errors?.[0];
    expect(error, `${label}: ${exchange.text}`).toBeDefined();
    if (expected.code) expect(error.extensions?.code, `${label}: ${exchange.text}`).toBe(expected.code);
    if (expected.reason) expect(error.extensions?.reason, `${label}: ${exchange.text}`).toBe(expected.reason);
    return exchange;
  }
}

export interface Seen {
  keys: { id: string; value: string; kind: string }[];
  tokens: string[];
  /** Credential-shaped strings presented that the server never issued (unknown, tampered, garbage). */
  presented: string[];
  /** Request ids sent that look like credentials, and one that does not. */
  credentialRequestIds: string[];
  benignRequestId: string;
  appIds: string[];
}

export function flipOne(value: string, at: number): string {
  return value.slice(0, at) + (value[at] === 'A' ? 'B' : 'A') + value.slice(at + 1);
}
