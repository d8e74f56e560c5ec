import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { Runtime } from '../../context';
import { AuthReason } from '../../errors';
import { recordAudit, type AuditActor } from '../audit/audit.service';
import type { AuthRefusal, AuthRequest } from '../auth/auth-pipeline';
import type { RequestRef } from '../auth/authenticator';
import type { StateFailure } from '../auth/key-records';
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

export type SessionCheck = { ok: true; principal: Principal } | { ok: false; reason: AuthReason.SESSION_EXPIRED | AuthReason.KEY_INVALID | StateFailure };

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

/** The principal a session cookie acts as, checked now: the session's own timeouts, then its key. */
export async function checkSession(em: EntityManager, token: string, runtime: Runtime): Promise<SessionCheck> {
  const id = runtime.hasher.hash(token);
  const session = await em.findOne(ConsoleSession, { id }, { disableIdentityMap: true });
  if (!session) return { ok: false, reason: AuthReason.SESSION_EXPIRED };
  const now = runtime.clock.now();
  if (hasEnded(session, now)) {
    await em.nativeDelete(ConsoleSession, { id });
    return { ok: false, reason: AuthReason.SESSION_EXPIRED };
  }
  const verification = await runtime.authenticator.judgeStoredKey(em, session.keyHash, session.keyType);
  if (!verification.ok) {
    // The session dies with its key, for good: enabling or un-expiring nothing brings it back.
    await em.nativeDelete(ConsoleSession, { id });
    return { ok: false, reason: verification.reason };
  }
  if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
    await em.nativeUpdate(ConsoleSession, { id }, { lastSeenAt: now });
  }
  return { ok: true, principal: verification.principal };
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
    meta: null,
    ipAllowList: null,
    credits: null,
  };
}

function scopeOf(principal: Principal): { appId: string | null; mode: KeyMode | null } {
  return principal.type === PrincipalType.API_KEY ? { appId: principal.appId, mode: principal.mode } : { appId: null, mode: null };
}
