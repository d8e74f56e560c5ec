import type { IncomingMessage } from 'node:http';
import { IDENTITY_HEADERS, type IdentityHeader } from '../auth/identity-headers';

/**
 * Client headers never sent upstream: the credential, cookies and Keygate's identity (set
 * here); what the executor sets itself; hop-by-hop headers (RFC 9110 7.6.1); and every
 * header that tells who the client is or how it connected, which a client can write at
 * will and an upstream may believe. The upstream gets Keygate's own view instead
 * (ForwardedView).
 */
const DROPPED = new RegExp(
  [
    'authorization|x-api-key|cookie|x-keygate-.*',
    'host|content-length|content-type|accept|accept-encoding',
    'connection|keep-alive|proxy-.*|te|trailer|transfer-encoding|upgrade',
    'forwarded|x-forwarded-.*|x-real-ip|x-client-ip|true-client-ip|cf-connecting-ip|fastly-client-ip|x-cluster-client-ip',
  ]
    .map((group) => `^(?:${group})$`)
    .join('|'),
);

/** How the request reached Keygate, as KEYGATE_TRUST_PROXY lets the proxies in front be believed (request.ts ProxyTrust). */
export interface ForwardedView {
  /** The client's address, the one IP allow-lists saw; null when it cannot be read. */
  ip: string | null;
  /** TLS here or at a trusted proxy. */
  secure: boolean;
  /** The host the client asked for; null when it does not read as one. */
  host: string | null;
}

/** The header names a Connection header lists: hop-by-hop for this hop only. */
function connectionNamed(req: IncomingMessage): Set<string> {
  const value = req.headers.connection;
  return new Set((value ?? '').split(',').map((name) => name.trim().toLowerCase()).filter(Boolean));
}

/**
 * The headers the upstream gets: the client's own less what is dropped, then
 * X-Forwarded-For/-Proto/-Host as Keygate saw the request, then the caller's identity.
 */
export function upstreamHeaders(req: IncomingMessage, view: ForwardedView, identity: Record<IdentityHeader, string>): Record<string, string> {
  const named = connectionNamed(req);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !DROPPED.test(name) && !named.has(name)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (view.ip !== null) headers['x-forwarded-for'] = view.ip;
  headers['x-forwarded-proto'] = view.secure ? 'https' : 'http';
  if (view.host !== null) headers['x-forwarded-host'] = view.host;
  for (const name of IDENTITY_HEADERS) if (identity[name] !== '') headers[name] = identity[name];
  return headers;
}
