import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { Runtime } from '../../context';
import { AuthReason, type Refusal } from '../../errors';
import { recordAudit, type AuditActor } from '../audit/audit.service';
import type { AuthRefusal, AuthRequest } from '../auth/auth-pipeline';
import type { RequestRef } from '../auth/authenticator';
import { type Principal, PrincipalType } from '../auth/principal';
import { ApiKey } from '../keys/api-key.entity';
import { KeyKind, type KeyMode } from '../keys/key-enums';
import { ConsoleSession } from './console-session.entity';

export const IDLE_TIMEOUT_MS = 30 * 60_000;
export const ABSOLUTE_TIMEOUT_MS = 12 * 3_600_000;
/** lastSeenAt is written at most this often: the idle timeout is exact to within it. */
const TOUCH_INTERVAL_MS = 60_000;

/** A session, or why the key could not open one (any refusal of the authenticator, or a publishable key). */
export type SignIn = { ok: true; token: string } | AuthRefusal | { ok: false; reason: AuthReason.INSUFFICIENT_ROLE };

/** The session's principal, or why this request may not use it (SESSION_EXPIRED, or any refusal its key would get). */
export type SessionCheck = { ok: true; principal: Principal } | (Refusal & { ok: false });

/** Refusals meaning the key no longer works at all (gone, revoked, expired, disabled): they end its sessions. */
const KEY_STOPPED: ReadonlySet<AuthReason> = new Set([AuthReason.KEY_INVALID, AuthReason.KEY_REVOKED, AuthReason.KEY_EXPIRED, AuthReason.KEY_DISABLED]);

/**
 * Opens a session for a root or secret key. The key is checked by the one authenticator
 * (so a wrong key spends the IP's failure budget like anywhere else); the browser origin
 * was checked by the caller, so it is not passed on.
 */
export async function signIn(em: EntityManager, key: string, request: RequestRef & Pick<AuthRequest, 'throttleIp'>, runtime: Runtime): Promise<SignIn> {
  const auth = await runtime.authenticator.authenticate(em, { credential: { ok: true, key }, origin: undefined, ip: request.ip, throttleIp: request.throttleIp, requestId: request.requestId });
  if (!auth.ok) return auth;
  const principal = auth.principal;
  // Publishable keys are public by design: anyone holding one must not get a console.
  if (principal.type === PrincipalType.API_KEY && principal.kind === KeyKind.PUBLISHABLE) {
    return { ok: false, reason: AuthReason.INSUFFICIENT_ROLE };
  }
  const token = randomBytes(32).toString('base64url');
  const now = runtime.clock.now();
  await em.transactional(async (tx) => {
    await purgeEnded(tx, now);
    tx.persist(
      Object.assign(new ConsoleSession(), {
        id: runtime.hasher.hash(token),
        keyHash: runtime.hasher.hash(key),
        keyType: principal.type === PrincipalType.ROOT ? 'root' : 'api',
        keyId: principal.id,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: new Date(now.getTime() + ABSOLUTE_TIMEOUT_MS),
      }),
    );
    await recordAudit(tx, { principal, ip: request.ip, requestId: request.requestId }, { action: 'console.sign_in', ...scopeOf(principal), targetId: principal.id }, now);
  });
  return { ok: true, token };
}

/**
 * The principal a session cookie acts as, checked for this request: the session's own
 * timeouts, then its key as the key itself would be checked from this request's address.
 */
export async function checkSession(em: EntityManager, token: string, request: RequestRef, runtime: Runtime): Promise<SessionCheck> {
  const id = runtime.hasher.hash(token);
  const session = await em.findOne(ConsoleSession, { id }, { disableIdentityMap: true });
  if (!session) return { ok: false, reason: AuthReason.SESSION_EXPIRED };
  const now = runtime.clock.now();
  if (hasEnded(session, now)) {
    await em.nativeDelete(ConsoleSession, { id });
    return { ok: false, reason: AuthReason.SESSION_EXPIRED };
  }
  const outcome = await runtime.authenticator.authenticateStored(em, { hash: session.keyHash, table: session.keyType, ...request });
  if (!outcome.ok) {
    // The session dies with its key, for good: enabling or un-expiring nothing brings it
    // back. A request from outside the key's IP list (or over its rate limit) is refused
    // alone: the key, and so the session, still works from where it may be used.
    if (KEY_STOPPED.has(outcome.reason)) await em.nativeDelete(ConsoleSession, { id });
    return outcome;
  }
  if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
    await em.nativeUpdate(ConsoleSession, { id }, { lastSeenAt: now });
  }
  return { ok: true, principal: outcome.principal };
}

/** Ends the session named by the cookie, if there is one (audited as its key). */
export async function signOut(em: EntityManager, token: string, request: Omit<AuditActor, 'principal'>, runtime: Runtime): Promise<void> {
  const id = runtime.hasher.hash(token);
  await em.transactional(async (tx) => {
    const session = await tx.findOne(ConsoleSession, { id });
    if (!session) return;
    tx.remove(session);
    const principal = await principalOfSession(tx, session);
    if (principal) await recordAudit(tx, { principal, ...request }, { action: 'console.sign_out', ...scopeOf(principal), targetId: principal.id }, runtime.clock.now());
  });
}

function hasEnded(session: ConsoleSession, now: Date): boolean {
  return now >= session.expiresAt || now.getTime() - session.lastSeenAt.getTime() >= IDLE_TIMEOUT_MS;
}

/** Ended sessions are deleted as new ones open, so the table holds only live ones (plus a few). */
async function purgeEnded(em: EntityManager, now: Date): Promise<void> {
  await em.nativeDelete(ConsoleSession, { $or: [{ expiresAt: { $lte: now } }, { lastSeenAt: { $lte: new Date(now.getTime() - IDLE_TIMEOUT_MS) } }] });
}

/** Who signs out, for the audit trail: the session's key, even if it has stopped working since. */
async function principalOfSession(em: EntityManager, session: ConsoleSession): Promise<Principal | null> {
  if (session.keyType === 'root') return { type: PrincipalType.ROOT, id: session.keyId };
  const key = await em.findOne(ApiKey, { id: session.keyId });
  if (!key) return null;
  // Only who it is matters here (the audit actor): the key's controls are not applied.
  return {
    type: PrincipalType.API_KEY,
    id: key.id,
    appId: key.appId,
    kind: key.kind,
    mode: key.mode,
    role: key.role,
    expiresAt: key.expiresAt,
    allowedOrigins: [],
    rateLimit: null,
    ownerId: key.ownerId,
    scopes: [],
    meta: null,
    ipAllowList: null,
    credits: null,
  };
}

function scopeOf(principal: Principal): { appId: string | null; mode: KeyMode | null } {
  return principal.type === PrincipalType.API_KEY ? { appId: principal.appId, mode: principal.mode } : { appId: null, mode: null };
}
