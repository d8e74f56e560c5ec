import type { Runtime } from '../../context';
import { AuthReason } from '../../errors';
import { bearerCredential, type CredentialFailure, type EntityManagerSource, type KeyRef, verifyKey } from './authenticator';
import { checkOrigin } from './origin-policy';
import { type Principal, PrincipalType } from './principal';

export type RequestAuthFailure = CredentialFailure | AuthReason.ORIGIN_NOT_ALLOWED | AuthReason.SECRET_KEY_IN_BROWSER;

/** A request's credential, checked: the Principal, or why not (401 for the key, 403 for the origin, 429 for its rate limit). */
export type RequestAuth =
  | { ok: true; principal: Principal }
  | { ok: false; reason: RequestAuthFailure; status: 401 | 403 }
  | { ok: false; reason: AuthReason.RATE_LIMITED; status: 429; retryAfterSeconds: number };

export type RequestAuthRefusal = Extract<RequestAuth, { ok: false }>;

/**
 * The one authentication path of every HTTP entry point (GraphQL context and REST):
 * key format → HMAC lookup → state now → origin rules.
 */
export interface RequestFacts {
  origin: string | undefined;
  ip: string | null;
  requestId: string;
}

export async function authenticateKey(em: EntityManagerSource, key: string, request: RequestFacts, runtime: Runtime): Promise<RequestAuth> {
  const verification = await verifyKey(em, key, {
    hasher: runtime.hasher,
    clock: runtime.clock,
    keyPrefix: runtime.config.keyPrefix,
    cache: runtime.keyCache,
    throttled: () => runtime.rateLimits.ipThrottled(request.ip),
  });
  if (!verification.valid) {
    runtime.metrics.verifications.inc({ outcome: verification.reason });
    if (verification.reason === AuthReason.RATE_LIMITED) {
      return { ok: false, reason: AuthReason.RATE_LIMITED, status: 429, retryAfterSeconds: verification.retryAfterSeconds };
    }
    // Made-up or mistyped keys are what guessing looks like; a revoked or expired real key
    // (or an expired session token elsewhere) is routine and spends no one's budget.
    if (verification.reason === AuthReason.KEY_INVALID || verification.reason === AuthReason.KEY_MALFORMED) {
      await runtime.rateLimits.recordAuthFailure(request.ip);
    }
    if (verification.key) recordKeyFailure(runtime, verification.key, verification.reason, request);
    return { ok: false, reason: verification.reason, status: 401 };
  }
  const principal = verification.principal;
  const originCheck = checkOrigin(principal, request.origin, runtime.config, runtime.consoleOrigins);
  runtime.metrics.verifications.inc({ outcome: originCheck.ok ? 'valid' : originCheck.reason });
  const ref = keyRefOf(principal);
  if (!originCheck.ok) {
    if (ref) recordKeyFailure(runtime, ref, originCheck.reason, request);
    return { ok: false, reason: originCheck.reason, status: 403 };
  }
  // Only keys with a limit await the limiter: the common case skips a promise.
  if (principal.type === PrincipalType.API_KEY && principal.rateLimit) {
    const wait = await runtime.rateLimits.consumeKey(principal.id, principal.rateLimit);
    if (wait !== null) {
      if (ref) recordKeyFailure(runtime, ref, AuthReason.RATE_LIMITED, request);
      return { ok: false, reason: AuthReason.RATE_LIMITED, status: 429, retryAfterSeconds: wait };
    }
  }
  if (ref) runtime.usage.record(ref, 'verification');
  return { ok: true, principal };
}

export function keyRefOf(principal: Principal): KeyRef | null {
  return principal.type === PrincipalType.API_KEY ? { id: principal.id, appId: principal.appId, mode: principal.mode } : null;
}

/** A real key failed (revoked, expired, wrong origin, role too low): count it and audit it (rate-limited). */
export function recordKeyFailure(runtime: Runtime, key: KeyRef, reason: string, request: { ip: string | null; requestId: string }): void {
  runtime.usage.record(key, 'failure');
  runtime.authFailures.record(key, reason, request);
}

/** Not async: it hands authenticateKey's promise on rather than wrapping it in another. */
export function authenticateBearer(em: EntityManagerSource, authorization: string | undefined, request: RequestFacts, runtime: Runtime): Promise<RequestAuth> {
  const credential = bearerCredential(authorization);
  if (!credential.ok) return Promise.resolve({ ok: false, reason: credential.reason, status: 401 });
  return authenticateKey(em, credential.key, request, runtime);
}
