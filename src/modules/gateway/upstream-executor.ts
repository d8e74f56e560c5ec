import { buildHTTPExecutor } from '@graphql-tools/executor-http';
import type { ExecutionResult } from 'graphql';
import type { DocumentNode } from 'graphql';

/**
 * Why an operation got no answer from the upstream: HTTP 502 or 504 at the gateway.
 * - unreachable: no connection was made, so nothing was sent (its credits are refunded);
 * - unavailable: the call failed after connecting: the upstream may have received it;
 * - timeout: no answer in time: the upstream may have run it.
 */
export type UpstreamFailure = 'unreachable' | 'unavailable' | 'timeout';

/**
 * The connect-phase errors of Node's fetch (undici): the name did not resolve, no route,
 * the port refused, the connection attempt timed out. A reset is not here: it may come
 * after the request was written.
 */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);

/** What a failed fetch says about the call: a timeout, no connection at all, or a failure after connecting. */
function failureOf(error: unknown): UpstreamFailure {
  if (error instanceof DOMException && error.name === 'TimeoutError') return 'timeout';
  const cause = error instanceof Error ? (error.cause as { code?: unknown; errors?: unknown } | undefined) : undefined;
  // Several addresses tried (happy eyeballs): an AggregateError, unreachable only if every attempt was.
  const attempts = Array.isArray(cause?.errors) ? (cause.errors as { code?: unknown }[]) : cause ? [cause] : [];
  return attempts.length > 0 && attempts.every((attempt) => NOT_CONNECTED.has(String(attempt.code))) ? 'unreachable' : 'unavailable';
}

/** What one upstream call carries besides the operation: the headers to send, and where a failure is noted. */
export interface UpstreamCall {
  headers: Record<string, string>;
  failure: UpstreamFailure | null;
}

export interface UpstreamRequest {
  document: DocumentNode;
  variables: Record<string, unknown>;
  operationName: string | undefined;
}

export type UpstreamAnswer = { ok: true; result: ExecutionResult } | { ok: false; failure: UpstreamFailure };

/**
 * The upstream's GraphQL over HTTP, through graphql-tools' HTTP executor. The fetch it is
 * given notes why a call failed on the call itself (the executor turns a failed fetch into
 * an error result, whose wording is not a contract), so the gateway can answer 502 or 504.
 */
export class UpstreamExecutor {
  private readonly execute;
  /** The upstream's origin: the audience of the identity tokens sent to it. */
  readonly origin: string;

  constructor(endpoint: string, timeoutMs: number) {
    this.origin = new URL(endpoint).origin;
    const fetchWithTimeout = async (url: string, init: RequestInit | undefined, call: UpstreamCall | undefined): Promise<Response> => {
      try {
        return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        if (call) call.failure = failureOf(error);
        throw error;
      }
    };
    this.execute = buildHTTPExecutor({
      endpoint,
      fetch: fetchWithTimeout,
      // Each operation is its own upstream request: it was authorised and charged on its
      // own, and its failure must be noted on its own call (a shared request notes it on
      // the first caller's only).
      deduplicateInflightRequests: false,
      headers: (request) => (request?.context as UpstreamCall | undefined)?.headers ?? {},
    });
  }

  async run(request: UpstreamRequest, headers: Record<string, string>): Promise<UpstreamAnswer> {
    const call: UpstreamCall = { headers, failure: null };
    let result: unknown;
    try {
      result = await this.execute({ document: request.document, variables: request.variables, operationName: request.operationName, context: call });
    } catch {
      return { ok: false, failure: call.failure ?? 'unavailable' };
    }
    if (call.failure) return { ok: false, failure: call.failure };
    if (!result || typeof result !== 'object' || Symbol.asyncIterator in result) return { ok: false, failure: 'unavailable' };
    return { ok: true, result: result as ExecutionResult };
  }
}
