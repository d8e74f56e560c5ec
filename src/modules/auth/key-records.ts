import type { EntityManager } from '@mikro-orm/core';
import { AuthReason } from '../../errors';
import { creditAccountOf } from '../credits/credit-account';
import { ApiKey } from '../keys/api-key.entity';
import { ipAllowListOf } from '../keys/ip-allow-list';
import type { KeyMode } from '../keys/key-enums';
import { KeyStatus } from '../keys/key-enums';
import { keyState } from '../keys/key-state';
import type { KeyCache, KeyRecord } from './key-cache';
import { type KeyPrincipal, type Principal, PrincipalType } from './principal';
import { RootKey } from './root-key.entity';

/**
 * The request's EntityManager, or how to get one: a cache hit needs none, so the REST
 * and GraphQL edges pass a function that forks only when a lookup asks for it.
 */
export type EntityManagerSource = EntityManager | (() => EntityManager);

/** A real app key a failure can be attributed to (usage, audit). */
export interface KeyRef {
  id: string;
  appId: string;
  mode: KeyMode;
}

export type KeyTable = 'root' | 'api';

/** Why a stored key does not work now. */
export type StateFailure = AuthReason.KEY_REVOKED | AuthReason.KEY_EXPIRED | AuthReason.KEY_DISABLED;

/** A key's record judged at one instant: the Principal it acts as, or why it does not work. */
export type KeyVerdict = { ok: true; principal: Principal } | { ok: false; reason: StateFailure; key?: KeyRef };

/** The key's record from the cache: the record, null (known not to exist here), or undefined (ask the database). */
export function cachedRecord(hash: string, table: KeyTable, cache: KeyCache | undefined): KeyRecord | null | undefined {
  const cached = cache?.get(hash);
  if (cached === undefined) return undefined;
  return cached?.type === table ? cached : null;
}

/** The key's record: from the cache when it holds the hash (a record, or known not to exist), else from the database. */
export async function findRecord(em: EntityManagerSource, hash: string, table: KeyTable, cache: KeyCache | undefined): Promise<KeyRecord | null> {
  const cached = cachedRecord(hash, table, cache);
  return cached === undefined ? loadRecord(em, hash, table, cache) : cached;
}

/** One indexed lookup by HMAC, whose answer is cached. */
export async function loadRecord(em: EntityManagerSource, hash: string, table: KeyTable, cache: KeyCache | undefined): Promise<KeyRecord | null> {
  const ticket = cache?.ticket() ?? 0;
  const manager = typeof em === 'function' ? em() : em;
  const record = table === 'root' ? await loadRoot(manager, hash) : await loadApiKey(manager, hash);
  cache?.store(hash, record, ticket);
  return record;
}

/**
 * A record's state evaluated at `now` (expiry and grace periods are never cached as
 * "valid"), and the Principal a working key acts as.
 */
export function judgeRecord(record: KeyRecord, now: Date): KeyVerdict {
  if (record.type === 'root') {
    if (record.revokedAt) return { ok: false, reason: AuthReason.KEY_REVOKED };
    return { ok: true, principal: { type: PrincipalType.ROOT, id: record.id } };
  }
  const state = keyState(record, now);
  switch (state.status) {
    case KeyStatus.REVOKED:
      return { ok: false, reason: AuthReason.KEY_REVOKED, key: refOf(record) };
    case KeyStatus.EXPIRED:
      return { ok: false, reason: AuthReason.KEY_EXPIRED, key: refOf(record) };
    case KeyStatus.DISABLED:
      return { ok: false, reason: AuthReason.KEY_DISABLED, key: refOf(record) };
    case KeyStatus.ACTIVE:
    case KeyStatus.ROTATING:
      return {
        ok: true,
        principal: {
          type: PrincipalType.API_KEY,
          id: record.id,
          appId: record.appId,
          kind: record.kind,
          mode: record.mode,
          role: record.role,
          expiresAt: record.expiresAt,
          allowedOrigins: record.allowedOrigins,
          rateLimit: record.rateLimit,
          ownerId: record.ownerId,
          scopes: record.scopes,
          meta: record.meta,
          ipAllowList: record.ipAllowList,
          credits: record.credits,
        },
      };
    default: {
      const unreachable: never = state;
      return unreachable;
    }
  }
}

/** The key a principal is, for usage and audit; null for root keys. */
export function keyRefOf(principal: KeyPrincipal): KeyRef;
export function keyRefOf(principal: Principal): KeyRef | null;
export function keyRefOf(principal: Principal): KeyRef | null {
  return principal.type === PrincipalType.API_KEY ? refOf(principal) : null;
}

function refOf(key: KeyRef): KeyRef {
  return { id: key.id, appId: key.appId, mode: key.mode };
}

async function loadRoot(em: EntityManager, hash: string): Promise<KeyRecord | null> {
  const root = await em.findOne(RootKey, { hash }, { disableIdentityMap: true });
  return root ? { type: 'root', id: root.id, revokedAt: root.revokedAt } : null;
}

async function loadApiKey(em: EntityManager, hash: string): Promise<KeyRecord | null> {
  const key = await em.findOne(ApiKey, { hash }, { disableIdentityMap: true });
  if (!key) return null;
  const { id, appId, kind, mode, role, expiresAt, revokedAt, enabled, ownerId, meta } = key;
  const rateLimit = key.rateLimit ? { limit: key.rateLimit.limit, windowSeconds: key.rateLimit.windowSeconds } : null;
  return {
    type: 'api',
    id,
    appId,
    kind,
    mode,
    role,
    expiresAt,
    revokedAt,
    enabled,
    ownerId,
    scopes: [...key.scopes],
    meta,
    rateLimit,
    allowedOrigins: [...key.allowedOrigins],
    ipAllowList: ipAllowListOf(key.allowedIps),
    credits: key.creditBalanceId ? await creditAccountOf(em, key.creditBalanceId) : null,
  };
}
