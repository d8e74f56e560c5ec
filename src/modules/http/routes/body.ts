import { z } from 'zod';
import { redact } from '../../../shared/redact';
import { findUnstorable } from '../../../shared/validation';
import { BodyTooLargeError, headerValue, readBody } from '../../../shared/http';
import type { RestError } from '../rest-errors';
import type { RouteContext } from './route';

export const MAX_REST_BODY_BYTES = 64 * 1024;
const MAX_JSON_DEPTH = 16;

type Parsed<T> = { ok: true; value: T } | { ok: false; error: RestError };

function depth(value: unknown, level = 0): number {
  if (level > MAX_JSON_DEPTH || value === null || typeof value !== 'object') return level;
  let max = level;
  for (const v of Object.values(value)) max = Math.max(max, depth(v, level + 1));
  return max;
}

function storable(value: unknown): Parsed<unknown> {
  const found = findUnstorable(value);
  if (found === null) return { ok: true, value };
  const field = found.at !== null && redact(found.at) === found.at ? { field: found.at } : {};
  return { ok: false, error: { status: 400, code: 'invalid_request', message: found.message, ...field } };
}

/** Reads a JSON (or, where allowed, form-encoded) body: 413 when too large, 400 when unreadable. */
export async function readRequestBody(ctx: RouteContext, options: { form?: boolean; anyString?: boolean } = {}): Promise<Parsed<unknown>> {
  const checked = options.anyString ? (value: unknown): Parsed<unknown> => ({ ok: true, value }) : storable;
  let raw: string;
  try {
    raw = await readBody(ctx.req, MAX_REST_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return { ok: false, error: { status: 413, code: 'invalid_request', message: `Request body exceeds ${MAX_REST_BODY_BYTES} bytes` } };
    throw error;
  }
  const type = (headerValue(ctx.req, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (options.form && type === 'application/x-www-form-urlencoded') {
    return checked(Object.fromEntries(new URLSearchParams(raw)));
  }
  if (type !== 'application/json') {
    const accepted = options.form ? 'application/json or application/x-www-form-urlencoded' : 'application/json';
    return { ok: false, error: { status: 400, code: 'invalid_request', message: `Content-Type must be ${accepted}` } };
  }
  try {
    const value: unknown = JSON.parse(raw);
    if (depth(value) > MAX_JSON_DEPTH) return { ok: false, error: { status: 400, code: 'invalid_request', message: 'JSON body is nested too deeply' } };
    return checked(value);
  } catch {
    return { ok: false, error: { status: 400, code: 'invalid_request', message: 'Request body is not valid JSON' } };
  }
}

/**
 * Names the offending field, unless the name itself looks like a credential (someone
 * pasted a key where a field name goes): error bodies never carry key material.
 */
function fieldNamed(path: string): { field?: string } {
  return path && redact(path) === path ? { field: path } : {};
}

/** Validates a body against a strict schema; the first problem names its field. */
export function validateBody<T>(schema: z.ZodType<T>, value: unknown): Parsed<T> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  const path = [...issue.path, ...(issue.code === 'unrecognized_keys' ? [issue.keys[0]] : [])].join('.');
  const named = fieldNamed(path);
  const shown = named.field ?? (path ? '[REDACTED]' : '');
  const message =
    issue.code === 'unrecognized_keys'
      ? `Unknown field: ${shown || '(empty name)'}`
      : issue.code === 'invalid_type' && issue.received === 'undefined'
        ? `Missing field: ${shown}`
        : // zod quotes the received value in some messages; never echo what the client sent.
          `Invalid field ${shown || 'body'}: ${redact(issue.message)}`;
  const field = issue.code === 'unrecognized_keys' && path === '' ? { field: '' } : named;
  return { ok: false, error: { status: 400, code: 'invalid_request', message, ...field } };
}
