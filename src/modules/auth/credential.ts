import { AuthReason } from '../../errors';

/** Why no key could be read from a request. */
export type CredentialFailure = AuthReason.KEY_MISSING | AuthReason.KEY_MALFORMED;

/** A credential read from a request, or why none could be; `hint` says how to send it right. */
export type CredentialParse = { ok: true; key: string } | { ok: false; reason: CredentialFailure; hint?: string };

/** The headers a credential may come in. */
export interface CredentialHeaders {
  authorization: string | undefined;
  apiKey: string | undefined;
}

/**
 * The one place a request's credential is read, for every entry point (GraphQL, REST,
 * forward auth): `Authorization: Bearer <key>`, or `X-Api-Key: <key>` when there is no
 * Authorization header (what many gateways and SDKs send).
 */
export function requestCredential(headers: CredentialHeaders): CredentialParse {
  const { authorization, apiKey } = headers;
  if ((authorization === undefined || authorization.trim() === '') && apiKey !== undefined) {
    return apiKey.trim() ? { ok: true, key: apiKey.trim() } : { ok: false, reason: AuthReason.KEY_MISSING };
  }
  return bearerCredential(authorization);
}

/** Extracts the key from `Authorization: Bearer <key>`. */
function bearerCredential(header: string | undefined): CredentialParse {
  if (header === undefined || header.trim() === '') return { ok: false, reason: AuthReason.KEY_MISSING };
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (match) return { ok: true, key: match[1] };
  // The commonest mistake: the key alone, without the scheme. The hint never repeats the value.
  const bare = /^\S+$/.test(header.trim());
  return {
    ok: false,
    reason: AuthReason.KEY_MALFORMED,
    hint: bare
      ? 'The Authorization header has no "Bearer " before the key: send Authorization: Bearer <key> (or X-Api-Key: <key>)'
      : 'The Authorization header must be "Bearer <key>" (or send X-Api-Key: <key>)',
  };
}

/**
 * The caller's credential at the token introspection endpoint, where RFC 7662 resource
 * servers authenticate as OAuth clients with the secret key as the client secret:
 * `client_secret_basic` (HTTP Basic, any client id, the key as the password),
 * `client_secret_post` (a `client_secret` form field), or, as everywhere, Bearer / X-Api-Key.
 */
export function clientCredential(headers: CredentialHeaders, form: { client_secret?: unknown } | null): CredentialParse {
  const basic = /^Basic[ ]+(\S+)\s*$/i.exec(headers.authorization ?? '');
  if (basic) return basicSecret(basic[1]);
  const sent = (headers.authorization ?? '').trim() !== '' || headers.apiKey !== undefined;
  if (!sent && typeof form?.client_secret === 'string' && form.client_secret.trim() !== '') return { ok: true, key: form.client_secret.trim() };
  return requestCredential(headers);
}

/** RFC 6749 §2.3.1: base64 of `id:secret`, each form-urlencoded first. */
function basicSecret(encoded: string): CredentialParse {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  let secret = '';
  try {
    secret = colon < 0 ? '' : decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
  } catch {
    // A malformed escape: no secret could be read (the hint never repeats the value).
  }
  if (secret.trim() === '') {
    return { ok: false, reason: AuthReason.KEY_MALFORMED, hint: 'HTTP Basic credentials must be <client id>:<secret key> (client_secret_basic)' };
  }
  return { ok: true, key: secret.trim() };
}

const JWT_SHAPE = /^eyJ[0-9A-Za-z_-]*\.[0-9A-Za-z_-]+\.[0-9A-Za-z_-]*$/;

/** A credential in a JWT's shape: a session token, not a key (edges that take both tell them apart so). */
export function looksLikeToken(credential: string): boolean {
  return JWT_SHAPE.test(credential);
}
