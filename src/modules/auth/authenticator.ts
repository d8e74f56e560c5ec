import type { EntityManager } from '@mikro-orm/core';
import { AuthReason } from '../../errors';
import type { Clock } from '../../shared/clock';
import { ApiKey } from '../keys/api-key.entity';
import { creditAccountOf } from '../credits/credit-account';
import { ipAllowListOf } from '../keys/ip-allow-list';
import { KIND_CODE, type KeyMode, MODE_CODE, KeyStatus } from '../keys/key-enums';
import { keyState } from '../keys/key-state';
import { parseKey } from './key-format';
import type { KeyCache, KeyRecord } from './key-cache';
import type { KeyHasher } from './key-hash';
import { type Principal, PrincipalType } from './principal';
import { RootKey } from './root-key.entity';

export type CredentialFailure =
  | AuthReason.KEY_MISSING
  | AuthReason.KEY_MALFORMED
  | AuthReason.KEY_INVALID
  | AuthReason.KEY_REVOKED
  | AuthReason.KEY_EXPIRED
  | AuthReason.KEY_DISABLED;

/** The outcome of checking a credential: data, turned into an error only at the edge. */
export type Verification =
  | { valid: true; principal: Principal }
  | { valid: false; reason: CredentialFailure; /** set when the key exists (usage, audit) */ key?: KeyRef }
  /** Refused before any database work: the client spent its budget of failed authentications. */
  | { valid: false; reason: AuthReason.RATE_LIMITED; retryAfterSeconds: number; key?: undefined };

/**
 * The request's EntityManager, or how to get one: a cache hit needs none, so the REST
 * and GraphQL edges pass a function that forks only when a lookup asks for it.
 */
export type EntityManagerSource = EntityManager | (() => EntityManager);

/** A real app key a failure can be attributed to. */
export interface KeyRef {
  id: string;
  appId: string;
  mode: KeyMode;
}

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

export interface AuthenticatorDeps {
  hasher: KeyHasher;
  keyPrefix: string | undefined;
  clock: Clock;
  /** The hot-path cache; without it every verification asks the database. */
  cache?: KeyCache;
  /**
   * The client's budget of failed authentications (seconds to wait, or null). Asked only
   * for a credential this process cannot vouch for without the database (malformed, or
   * a hash the cache has never seen valid), so a guesser is refused before any query
   * while keys already verified here keep working from the same address.
   */
  throttled?: () => Promise<number | null>;
}

/**
 * Turns a presented key into a Principal: format and checksum first (no database work
 * for garbage), then the key's record by HMAC (cache, else one lookup through a unique
 * index), then the key's state evaluated at this instant (expiry and grace periods are
 * never cached as "valid").
 */
export async function verifyKey(em: EntityManagerSource, presented: string, deps: AuthenticatorDeps): Promise<Verification> {
  const parsed = parseKey(presented, deps.keyPrefix);
  if (!parsed) return (await refusal(deps)) ?? { valid: false, reason: AuthReason.KEY_MALFORMED };
  const hash = deps.hasher.hash(presented);
  const table = parsed.type === 'root' ? 'root' : 'api';
  // A cache hit is answered without awaiting anything.
  let record = cachedRecord(hash, table, deps.cache);
  if (!record) {
    // Not vouched for here (never seen valid, or known not to exist): the budget decides first.
    const refused = deps.cache?.knows(hash) ? null : await refusal(deps);
    if (refused) return refused;
    if (record === undefined) record = await loadRecord(em, hash, table, deps.cache);
  }
  if (!record) return { valid: false, reason: AuthReason.KEY_INVALID };
  // The prefix is part of the hashed value, so a match implies kind and mode agree;
  // checking again costs nothing and guards against a corrupted row.
  if (record.type === 'api' && (parsed.type === 'root' || KIND_CODE[record.kind] !== parsed.kind || MODE_CODE[record.mode] !== parsed.mode)) {
    return { valid: false, reason: AuthReason.KEY_INVALID };
  }
  return verdictOf(record, deps.clock);
}

/**
 * A stored key's HMAC checked again (a console session re-checks the key it was opened
 * with on every use, so the session dies with its key).
 */
export async function verifyStoredKey(em: EntityManager, hash: string, table: 'root' | 'api', deps: AuthenticatorDeps): Promise<Verification> {
  const cached = cachedRecord(hash, table, deps.cache);
  const record = cached === undefined ? await loadRecord(em, hash, table, deps.cache) : cached;
  if (!record) return { valid: false, reason: AuthReason.KEY_INVALID };
  return verdictOf(record, deps.clock);
}

/** A key's record judged at this instant. */
function verdictOf(record: KeyRecord, clock: Clock): Verification {
  if (record.type === 'root') {
    if (record.revokedAt) return { valid: false, reason: AuthReason.KEY_REVOKED };
    return { valid: true, principal: { type: PrincipalType.ROOT, id: record.id } };
  }
  const state = keyState(record, clock.now());
  const ref: KeyRef = { id: record.id, appId: record.appId, mode: record.mode };
  switch (state.status) {
    case KeyStatus.REVOKED:
      return { valid: false, reason: AuthReason.KEY_REVOKED, key: ref };
    case KeyStatus.EXPIRED:
      return { valid: false, reason: AuthReason.KEY_EXPIRED, key: ref };
    case KeyStatus.DISABLED:
      return { valid: false, reason: AuthReason.KEY_DISABLED, key: ref };
    case KeyStatus.ACTIVE:
    case KeyStatus.ROTATING:
      return {
        valid: true,
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

async function refusal(deps: AuthenticatorDeps): Promise<Verification | null> {
  const wait = deps.throttled ? await deps.throttled() : null;
  return wait === null ? null : { valid: false, reason: AuthReason.RATE_LIMITED, retryAfterSeconds: wait };
}

/** The key's record from the cache: the record, null (known not to exist here), or undefined (ask the database). */
function cachedRecord(hash: string, table: 'root' | 'api', cache: KeyCache | undefined): KeyRecord | null | undefined {
  const cached = cache?.get(hash);
  if (cached === undefined) return undefined;
  return cached?.type === table ? cached : null;
}

/** One indexed lookup, whose answer is cached. */
async function loadRecord(em: EntityManagerSource, hash: string, table: 'root' | 'api', cache: KeyCache | undefined): Promise<KeyRecord | null> {
  const ticket = cache?.ticket() ?? 0;
  const manager = typeof em === 'function' ? em() : em;
  const record = table === 'root' ? await loadRoot(manager, hash) : await loadApiKey(manager, hash);
  cache?.store(hash, record, ticket);
  return record;
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
    meta,
    rateLimit,
    allowedOrigins: [...key.allowedOrigins],
    ipAllowList: ipAllowListOf(key.allowedIps),
    credits: key.creditBalanceId ? await creditAccountOf(em, key.creditBalanceId) : null,
  };
}
