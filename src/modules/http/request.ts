import type { CredentialHeaders } from '../auth/credential';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeader, ServerResponse } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { TrustProxy } from '../../config';
import { redact } from '../../shared/redact';

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

/**
 * A caller-supplied request id is kept when it is short, plain and not shaped like a
 * credential (it is logged and stored in audit events); otherwise a new one.
 */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given) && redact(given) === given ? given : randomUUID();
}

/**
 * The path of a request target that URL parsing would return unchanged (no query, no
 * escapes, no dot segments, no leading "//"), or undefined: then it goes through URL. Saves building a
 * URL per verification (~1.5 % of a cache-hit /auth/verify under --cpu-prof).
 */
export function plainPath(target: string | undefined): string | undefined {
  // A leading "//" would be read as a host by URL, and dot segments get resolved.
  if (target === undefined || !/^\/(?!\/)[A-Za-z0-9._~/-]*$/.test(target) || /(^|\/)\.\.?(\/|$)/.test(target)) return undefined;
  return target;
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The headers a credential may arrive in (read by credential.ts requestCredential). */
export function credentialHeaders(req: IncomingMessage): CredentialHeaders {
  return { authorization: headerValue(req, 'authorization'), apiKey: headerValue(req, 'x-api-key') };
}

function blockListOf(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix !== undefined) list.addSubnet(address, Number(prefix), family);
    else list.addAddress(address, family);
  }
  return list;
}

function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * One X-Forwarded-For entry as an address: bare, with a port (`a.b.c.d:port`, `[v6]:port`)
 * or bracketed (`[v6]`); a port does not change whose address it is. null for anything
 * else (`unknown`, obfuscated or scoped forms, garbage).
 */
export function forwardedAddress(entry: string): string | null {
  const text = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
  const address = bracketed?.[1] ?? withPort?.[1] ?? text;
  const version = isIP(address);
  if (version === 0 || (bracketed && version !== 6) || address.includes('%')) return null;
  return plainAddress(address);
}

/** The X-Forwarded-For entries, left (client side) to right (nearest proxy); none without the header. */
function forwardedEntries(req: IncomingMessage): string[] {
  const header = headerValue(req, 'x-forwarded-for');
  return header === undefined || header.trim() === '' ? [] : header.split(',');
}

/** Who sent a request, as far as KEYGATE_TRUST_PROXY lets Keygate believe the proxies in front. */
export interface ClientAddress {
  /** The client's address (IP allow-lists, audit); null when it cannot be read. */
  ip: string | null;
  /** The address its failed authentications are counted against: one the client cannot choose. */
  throttleIp: string | null;
}

export interface ProxyTrust {
  clientAddress(req: IncomingMessage): ClientAddress;
  /** TLS here, or a trusted proxy that says it terminated TLS (X-Forwarded-Proto: https). */
  isSecure(req: IncomingMessage): boolean;
}

/**
 * How far X-Forwarded-For is believed (docs/configuration.md, KEYGATE_TRUST_PROXY):
 * - none: the socket peer is the client;
 * - a list: entries are read from the right while each is a listed proxy; the first one
 *   that is not (or the left-most) is the client. Only listed proxies wrote what was
 *   read, so a client can add entries on the left but never changes the outcome;
 * - `true`: every peer is a proxy, so the left-most entry is the client, which a client
 *   can forge unless the proxy overwrites the header. Its failed authentications are
 *   counted against the right-most entry instead, the address the nearest proxy saw.
 * An entry that is not an address ends the chain: the client is then unknown (null).
 */
export function proxyTrust(trust: TrustProxy): ProxyTrust {
  const trusted = trust.kind === 'list' ? blockListOf(trust.entries) : null;
  const isTrusted = (ip: string) => trust.kind === 'all' || (trusted !== null && trusted.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4'));
  const peerOf = (req: IncomingMessage) => (req.socket.remoteAddress ? plainAddress(req.socket.remoteAddress) : null);
  const peerTrusted = (peer: string | null) => peer !== null && trust.kind !== 'none' && isTrusted(peer);

  const resolve = (entries: string[], peer: string | null): string | null => {
    for (let i = entries.length - 1; i >= 0; i--) {
      const address = forwardedAddress(entries[i]);
      if (address === null || i === 0 || !isTrusted(address)) return address;
    }
    return peer;
  };

  return {
    clientAddress(req) {
      const peer = peerOf(req);
      if (!peerTrusted(peer)) return { ip: peer, throttleIp: peer };
      const entries = forwardedEntries(req);
      const ip = resolve(entries, peer);
      if (trust.kind !== 'all' || entries.length === 0) return { ip, throttleIp: ip };
      return { ip, throttleIp: forwardedAddress(entries[entries.length - 1]) };
    },
    isSecure(req) {
      if ((req.socket as TLSSocket).encrypted) return true;
      const proto = headerValue(req, 'x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
      return proto === 'https' && peerTrusted(peerOf(req));
    },
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  // One flat list for the whole head (keygate-response.ts: Node writes it as given).
  const head: OutgoingHttpHeader[] = ['content-type', 'application/json; charset=utf-8', 'content-length', String(Buffer.byteLength(payload))];
  for (const name in headers) head.push(name, headers[name]);
  res.writeHead(status, head);
  res.end(payload);
}

/** An error answered before GraphQL runs (refused at the edge), in GraphQL's own response shape. */
export function sendGraphQLError(res: ServerResponse, status: number, message: string, extensions: Record<string, unknown>, headers: Record<string, string> = {}): void {
  sendJson(res, status, { errors: [{ message, extensions }] }, headers);
}

/** REST error shape of the contract. */
export function sendError(res: ServerResponse, status: number, code: string, message: string, details?: string): void {
  sendJson(res, status, { error: { code, message, ...(details ? { details } : {}) } });
}
