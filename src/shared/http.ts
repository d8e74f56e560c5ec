import type { IncomingMessage, OutgoingHttpHeader, ServerResponse } from 'node:http';

/**
 * node:http helpers every edge uses, Keygate's own servers and the GraphQL engine alike:
 * a body read with a limit, a header's value, a JSON answer. Nothing here knows a route.
 */

export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {}

/** The client closed the connection before sending the whole body: its doing, nothing to answer. */
export class ClientAbortedError extends Error {}

/** Reads a request body up to `limit` bytes; larger bodies are refused, not buffered. */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limit) throw new BodyTooLargeError(`Request body exceeds ${limit} bytes`);
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (!(error instanceof BodyTooLargeError) && req.readableAborted) throw new ClientAbortedError('The client closed the connection before the end of the body');
    throw error;
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  // A flat list: Node writes the head from it as given, with no header object to build and merge.
  const head: OutgoingHttpHeader[] = ['content-type', 'application/json; charset=utf-8', 'content-length', String(Buffer.byteLength(payload))];
  for (const name in headers) head.push(name, headers[name]);
  res.writeHead(status, head);
  res.end(payload);
}

/** An error answered before GraphQL runs (refused at the edge), in GraphQL's own response shape. */
export function sendGraphQLError(res: ServerResponse, status: number, message: string, extensions: Record<string, unknown>, headers: Record<string, string> = {}): void {
  sendJson(res, status, { errors: [{ message, extensions }] }, headers);
}
