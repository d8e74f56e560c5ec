import { type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders, ServerResponse } from 'node:http';

type Headers = OutgoingHttpHeaders | OutgoingHttpHeader[];

/** A writeHead argument as flat name/value pairs (a flat list is used as it is). */
function pairsOf(headers: Headers | undefined): OutgoingHttpHeader[] {
  if (headers === undefined) return [];
  if (!Array.isArray(headers)) return Object.entries(headers).flatMap(([name, value]) => (value === undefined ? [] : [name, value]));
  if (headers.length > 0 && Array.isArray(headers[0])) return (headers as unknown as OutgoingHttpHeader[][]).flat();
  return headers;
}

/** Whether flat `pairs` name `lowerName` (header names are case-insensitive). */
function names(pairs: OutgoingHttpHeader[], lowerName: string): boolean {
  for (let i = 0; i < pairs.length; i += 2) {
    const name = pairs[i] as string;
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) return true;
  }
  return false;
}

/**
 * The server's response: headers every answer of a request carries (its request id, `Vary:
 * Origin`) are written in the same writeHead as the answer's own, not set one by one first.
 * Node writes a head straight from the list given to writeHead when nothing was set before
 * (setHeader validates and stores each one, then writeHead merges them again): ~8 % of a
 * cached /auth/verify's CPU (bench/README.md, issue 25). An answer's own header of the same
 * name wins, as a later setHeader did.
 */
export class KeygateResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  #common: string[] = [];

  /** Headers for whatever this request is answered with, as flat name/value pairs in lower case. */
  setCommonHeaders(pairs: string[]): void {
    this.#common = pairs;
  }

  override writeHead(statusCode: number, reasonOrHeaders?: string | Headers, headers?: Headers): this {
    const reason = typeof reasonOrHeaders === 'string' ? reasonOrHeaders : undefined;
    const own = pairsOf(reason === undefined ? (reasonOrHeaders as Headers | undefined) : headers);
    const common = this.#common;
    const head: OutgoingHttpHeader[] = [];
    if (this.getHeaderNames().length > 0) {
      // Headers were set one by one (Apollo's answers, CORS): the common ones join them the same way.
      for (let i = 0; i < common.length; i += 2) if (!this.hasHeader(common[i])) this.setHeader(common[i], common[i + 1]);
    } else {
      for (let i = 0; i < common.length; i += 2) if (!names(own, common[i])) head.push(common[i], common[i + 1]);
    }
    for (let i = 0; i < own.length; i++) head.push(own[i]);
    return reason === undefined ? super.writeHead(statusCode, head) : super.writeHead(statusCode, reason, head);
  }
}
