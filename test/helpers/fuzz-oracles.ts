import { expect } from 'vitest';
import type { RawResponse } from './raw-http';

/** What every fuzz suite asserts of an answer: the contract's shapes and codes, no echo, no internals. */

/** Every string anywhere in a parsed JSON value. */
export function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [k, ...stringsIn(v)]);
}

/** The presented value, and what Node makes of its UTF-8 bytes (header values are read as Latin-1). */
export function echoForms(presented: string): string[] {
  const trimmed = presented.trim();
  return [...new Set([trimmed, Buffer.from(trimmed, 'utf8').toString('latin1').trim()])].filter((s) => s.length >= 8);
}

export function expectNoEcho(body: unknown, presented: string) {
  for (const form of echoForms(presented)) {
    for (const s of stringsIn(body)) expect(s.includes(form), `the answer echoes what was presented: ${JSON.stringify(s).slice(0, 120)}`).toBe(false);
  }
}

export const REST_CODE_OF_STATUS: Record<number, string> = {
  400: 'invalid_request',
  401: 'authentication_failed',
  403: 'permission_denied',
  404: 'not_found',
  405: 'invalid_request',
  409: 'conflict',
  413: 'invalid_request',
  429: 'rate_limited',
};

/** The one REST error shape: {"error":{"code","message",…}} with only contract fields, all strings. */
export function expectRestError(response: RawResponse, status: number): Record<string, string> {
  expect(response.status, response.text).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(response.text) as { error: Record<string, string> };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error).toMatchObject({ code: REST_CODE_OF_STATUS[status], message: expect.any(String) });
  for (const [field, value] of Object.entries(body.error)) {
    expect(['code', 'message', 'details', 'reason', 'field'], `unexpected error field ${field}`).toContain(field);
    expect(typeof value, field).toBe('string');
  }
  return body.error;
}

/** Error codes the contract (DESIGN.md "Errors") and Apollo's request pipeline may answer with. */
export const GRAPHQL_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
]);
export const AUTH_FAILURE_REASONS = ['KEY_MISSING', 'KEY_MALFORMED', 'KEY_INVALID'];

/** Database internals that must never reach a client. */
export const LEAK = /SQLITE_|DriverException|select .* from|insert into|violates .* constraint|unrecognized token|invalid byte sequence|\bat .*\.(?:js|ts):\d+/i;
