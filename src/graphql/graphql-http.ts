import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ApolloServer, type BaseContext, HeaderMap } from '@apollo/server';
import { ErrorCode } from '../errors';
import { redact } from '../shared/redact';
import { findUnstorable } from '../shared/validation';
import { headerValue, readBody, sendGraphQLError } from '../shared/http';
import { setExplorerHeaders } from './explorer';

/**
 * The node:http half of serving GraphQL over HTTP, shared by the management API and the
 * gateway: reading GET's parameters or POST's JSON body with clear refusals, and writing
 * an Apollo answer back.
 */

/** GET's parameters, with `variables` and `extensions` read as the JSON they are. */
function getParams(url: URL): Record<string, unknown> {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  for (const name of ['variables', 'extensions']) {
    try {
      if (typeof params[name] === 'string') params[name] = JSON.parse(params[name] as string);
    } catch {
      // Apollo answers a 400 for parameters it cannot read.
    }
  }
  return params;
}

/** A NUL or lone surrogate in the document or the variables: 400 BAD_USER_INPUT before anything runs. */
function refuseUnstorable(res: ServerResponse, found: { at: string | null; message: string }): void {
  const field = found.at?.replace(/^variables\./, '') ?? null;
  const named = field !== null && field !== found.at && redact(field) === field ? { field } : {};
  sendGraphQLError(res, 400, found.message, { code: ErrorCode.BAD_USER_INPUT, ...named });
}

const WHAT_TO_SEND = 'send a JSON body such as {"query": "{ viewer { type } }", "variables": {}} with Content-Type: application/json';

/** A GraphQL POST that cannot be read: 400 naming what to send (never echoing what was sent). */
function refuseBody(res: ServerResponse, problem: string): void {
  sendGraphQLError(res, 400, `${problem}: ${WHAT_TO_SEND}`, { code: 'BAD_REQUEST' });
}

/** A request in Apollo's automatic persisted queries (APQ) protocol: `extensions.persistedQuery`. */
export function asksForPersistedQuery(params: unknown): boolean {
  const extensions = typeof params === 'object' && params !== null ? (params as { extensions?: unknown }).extensions : undefined;
  return typeof extensions === 'object' && extensions !== null && 'persistedQuery' in extensions;
}

/** A request's GraphQL parameters (POST's body, or GET's query string); null once a refusal was sent. */
export async function readGraphQLRequest(req: IncomingMessage, res: ServerResponse, url: URL): Promise<{ body: unknown; params: unknown } | null> {
  if (req.method !== 'POST') return { body: undefined, params: getParams(url) };
  const raw = await readBody(req);
  const type = (headerValue(req, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
  // Apollo's own answers here talk about CSRF or "POST body missing"; say what to send instead.
  const problem = type !== 'application/json' ? `Content-Type must be application/json (got ${type ? 'another type' : 'none'})` : raw.trim() === '' ? 'The request body is empty' : null;
  if (problem === null) {
    try {
      const body: unknown = JSON.parse(raw);
      return { body, params: body };
    } catch {
      refuseBody(res, 'The request body is not valid JSON');
      return null;
    }
  }
  refuseBody(res, problem);
  return null;
}

/** False (a 400 sent) when the parameters hold a string no database could store. */
export function refuseUnstorableParams(res: ServerResponse, params: unknown): boolean {
  const unstorable = findUnstorable(params);
  if (unstorable === null) return true;
  refuseUnstorable(res, unstorable);
  return false;
}

/** Runs the request through Apollo's HTTP-agnostic entry point and writes its answer. */
export async function executeOverHttp<C extends BaseContext>(apollo: ApolloServer<C>, req: IncomingMessage, res: ServerResponse, url: URL, body: unknown, context: () => Promise<C>): Promise<void> {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const result = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body }, context });
  // The only HTML a GraphQL endpoint answers is the explorer page (Apollo's landing page).
  if (result.headers.get('content-type')?.startsWith('text/html')) await setExplorerHeaders(req, res);
  // No answer of a GraphQL endpoint may be kept by a browser or a proxy: one reveals a new
  // secret, others a key's details (Apollo's cache-control plugin, which said so, is off).
  if (!result.headers.has('cache-control')) res.setHeader('cache-control', 'no-store');
  for (const [name, value] of result.headers) res.setHeader(name, value);
  res.statusCode = result.status ?? 200;
  if (result.body.kind === 'complete') {
    res.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) res.write(chunk);
  res.end();
}
