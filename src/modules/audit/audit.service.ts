import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import type { Actor } from '../../context';
import { BadInputError } from '../../errors';
import { type Connection, type PageRequest, toConnection } from '../../shared/pagination';
import { PrincipalType } from '../auth/principal';
import { assertAppVisible, modeFilter } from '../auth/tenancy';
import { KeyMode } from '../keys/key-enums';
import type { AuditAction } from './audit-actions';
import { AuditChainHead, type ChainVerification, chainKeyOf, eventHash, lockChainHead, verifyChain } from './audit-chain';
import { AuditEvent } from './audit-event.entity';

export type { AuditAction };

export interface AuditEntry {
  action: AuditAction;
  appId: string | null;
  mode: KeyMode | null;
  targetId: string | null;
  /** Names and settings only: never a key, token, hash or private key. */
  details?: Record<string, unknown>;
}

/** Keygate itself as an actor, acting on a verified report from `id` (e.g. github-secret-scanning). */
export interface SystemActor {
  type: PrincipalType.SYSTEM;
  id: string;
}

/** Who an audit event names as its actor: a principal, Keygate itself, or (failed authentications) nobody yet. */
export interface AuditActor {
  principal: Actor['principal'] | SystemActor | null;
  ip: string | null;
  requestId: string;
}

/**
 * Appends an audit event to its chain inside the caller's transaction, so the change
 * and its record commit or fail together (and concurrent appends cannot fork a chain).
 */
export async function recordAudit(em: EntityManager, actor: AuditActor, entry: AuditEntry, at: Date): Promise<AuditEvent> {
  const head = await lockChainHead(em, chainKeyOf(entry.appId, entry.mode));
  const event = Object.assign(new AuditEvent(), {
    at,
    appId: entry.appId,
    mode: entry.mode,
    actorType: actor.principal?.type ?? PrincipalType.API_KEY,
    actorId: actor.principal?.id ?? null,
    action: entry.action,
    targetId: entry.targetId,
    ip: actor.ip,
    details: entry.details ? JSON.parse(JSON.stringify(entry.details)) : null,
    requestId: actor.requestId,
    seq: head.lastSeq + 1,
    prevHash: head.lastHash,
  });
  event.hash = eventHash(event);
  head.lastSeq = event.seq;
  head.lastHash = event.hash;
  em.persist(event);
  return event;
}

export interface AuditFilter {
  mode?: KeyMode | null;
  action?: string | null;
  actorId?: string | null;
  targetId?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/**
 * Newest first. A mode filter (an app key's own mode, or the one root asks for) keeps that
 * mode's events plus the app-level ones (mode null: app created, settings changed), which
 * concern both modes: the console's audit log of either mode shows them.
 */
export async function listAuditEvents(em: EntityManager, actor: Actor, appId: string, filter: AuditFilter, page: PageRequest): Promise<Connection<AuditEvent>> {
  assertAppVisible(actor.principal, appId, 'App');
  const scopedMode = modeFilter(actor.principal, filter.mode);
  if (scopedMode === 'none') return toConnection([], page, 0);
  if (filter.from && filter.to && filter.from > filter.to) throw new BadInputError('from must not be after to', 'from');
  const conditions: FilterQuery<AuditEvent>[] = [{ appId }];
  if (scopedMode !== null) {
    conditions.push({ $or: [{ mode: scopedMode }, { mode: null }] });
  }
  if (filter.action) conditions.push({ action: filter.action });
  if (filter.actorId) conditions.push({ actorId: filter.actorId });
  if (filter.targetId) conditions.push({ targetId: filter.targetId });
  if (filter.from) conditions.push({ at: { $gte: filter.from } });
  if (filter.to) conditions.push({ at: { $lte: filter.to } });
  const [rows, total] = await Promise.all([
    em.find(AuditEvent, { $and: page.afterId ? [...conditions, { id: { $lt: page.afterId } }] : conditions }, { orderBy: { id: 'desc' }, limit: page.limit + 1 }),
    em.count(AuditEvent, { $and: conditions }),
  ]);
  return toConnection(rows, page, total);
}

/**
 * Verifies an app's chains: the given mode's and the app-level one (what auditEvents shows
 * for that mode), or (mode omitted) every chain the actor
 * may see — for root both modes and the app-level chain, for a key its own mode's and
 * the app-level chain. Stops at the first broken event.
 */
export async function verifyAuditChains(em: EntityManager, actor: Actor, appId: string, mode: KeyMode | null): Promise<ChainVerification> {
  assertAppVisible(actor.principal, appId, 'App');
  const scoped = modeFilter(actor.principal, mode);
  if (scoped === 'none') return { ok: true, checked: 0, firstBrokenEventId: null };
  const modes: (KeyMode | null)[] =
    mode ? [mode, null] : scoped ? [scoped, null] : [KeyMode.LIVE, KeyMode.TEST, null];
  let checked = 0;
  for (const m of modes) {
    const [events, head] = await Promise.all([
      em.find(AuditEvent, { appId, mode: m, seq: { $gt: 0 } }, { orderBy: { seq: 'asc' } }),
      em.findOne(AuditChainHead, { chainKey: chainKeyOf(appId, m) }),
    ]);
    const result = verifyChain(events, head);
    checked += result.checked;
    if (!result.ok) return { ...result, checked };
  }
  return { ok: true, checked, firstBrokenEventId: null };
}
