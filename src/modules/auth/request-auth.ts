import type { Runtime } from '../../context';
import { AuthReason } from '../../errors';
import { type CredentialFailure, type CredentialHeaders, type EntityManagerSource, type KeyRef, requestCredential, verifyKey } from './authenticator';
import { type ControlRefusal, type KeyBudgets, type MeteredRequest, applyKeyControls } from './key-controls';
import { checkOrigin } from './origin-policy';
import { type Principal, PrincipalType } from './principal';

export type RequestAuthFailure = CredentialFailure | AuthReason.ORIGIN_NOT_ALLOWED | AuthReason.SECRET_KEY_IN_BROWSER;

/** A request's credential, checked: the Principal, or why not (401 for the key, 403 for the origin or IP, 429 for its rate limit or credits). */
export type RequestAuth =
  | { ok: true; principal: Principal; budgets?: KeyBudgets }
  | { ok: false; reason: RequestAuthFailure; status: 401 | 403; /** how to send the credential right */ hint?: string }
  | ControlRefusal;

export type RequestAuthRefusal = Extract<RequestAuth, { ok: false }>;

/**
 * The one authentication path of every HTTP entry point (GraphQL context and REST):
 * key format → HMAC lookup → state now → origin rules → key controls (IP, rate limit, credits).
 */
export interface RequestFacts extends MeteredRequest {
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
  let budgets: KeyBudgets | undefined;
  // Only keys with a control await anything more: the common case skips a promise.
  if (principal.type === PrincipalType.API_KEY && (principal.rateLimit || principal.credits || principal.ipAllowList)) {
    const controls = await applyKeyControls(principal, request, runtime);
    if (!controls.ok) {
      if (ref) recordKeyFailure(runtime, ref, controls.reason, request);
      return controls;
    }
    budgets = controls.budgets;
  }
  if (ref) runtime.usage.record(ref, 'verification');
  else runtime.usage.recordRootUse(principal.id);
  return { ok: true, principal, budgets };
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
export function authenticateRequest(em: EntityManagerSource, headers: CredentialHeaders, request: RequestFacts, runtime: Runtime): Promise<RequestAuth> {
  const credential = requestCredential(headers);
  if (!credential.ok) return Promise.resolve({ ok: false, reason: credential.reason, status: 401, hint: credential.hint });
  return authenticateKey(em, credential.key, request, runtime);
}
