import type { EntityManager } from '@mikro-orm/core';
import { AuthReason } from '../../errors';
import type { Clock } from '../../shared/clock';
import { ApiKey } from '../keys/api-key.entity';
import { KIND_CODE, type KeyMode, MODE_CODE, KeyStatus } from '../keys/key-enums';
import { keyState } from '../keys/key-state';
import { parseKey } from './key-format';
import type { KeyHasher } from './key-hash';
import { type Principal, PrincipalType } from './principal';
import { RootKey } from './root-key.entity';

export type CredentialFailure =
  | AuthReason.KEY_MISSING
  | AuthReason.KEY_MALFORMED
  | AuthReason.KEY_INVALID
  | AuthReason.KEY_REVOKED
  | AuthReason.KEY_EXPIRED;

/** The outcome of checking a credential: data, turned into an error only at the edge. */
export type Verification =
  | { valid: true; principal: Principal }
  | { valid: false; reason: CredentialFailure; /** set when the key exists (usage, audit) */ key?: KeyRef };

/** A real app key a failure can be attributed to. */
export interface KeyRef {
  id: string;
  appId: string;
  mode: KeyMode;
}

/** Extracts the key from `Authorization: Bearer <key>`; undefined when there is none. */
export function bearerCredential(header: string | undefined): { ok: true; key: string } | { ok: false; reason: CredentialFailure } {
  if (header === undefined || header.trim() === '') return { ok: false, reason: AuthReason.KEY_MISSING };
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (!match) return { ok: false, reason: AuthReason.KEY_MALFORMED };
  return { ok: true, key: match[1] };
}

export interface AuthenticatorDeps {
  hasher: KeyHasher;
  keyPrefix: string | undefined;
  clock: Clock;
}

/**
 * Turns a presented key into a Principal: format and checksum first (no database work
 * for garbage), then one lookup by HMAC through a unique index, then the key's state
 * evaluated at this instant (expiry and grace periods are never cached as "valid").
 */
export async function verifyKey(em: EntityManager, presented: string, deps: AuthenticatorDeps): Promise<Verification> {
  const parsed = parseKey(presented, deps.keyPrefix);
  if (!parsed) return { valid: false, reason: AuthReason.KEY_MALFORMED };
  const hash = deps.hasher.hash(presented);
  if (parsed.type === 'root') {
    const root = await em.findOne(RootKey, { hash }, { disableIdentityMap: true });
    if (!root) return { valid: false, reason: AuthReason.KEY_INVALID };
    if (root.revokedAt) return { valid: false, reason: AuthReason.KEY_REVOKED };
    return { valid: true, principal: { type: PrincipalType.ROOT, id: root.id } };
  }
  const key = await em.findOne(ApiKey, { hash }, { disableIdentityMap: true });
  // The prefix is part of the hashed value, so a match implies kind and mode agree;
  // checking again costs nothing and guards against a corrupted row.
  if (!key || KIND_CODE[key.kind] !== parsed.kind || MODE_CODE[key.mode] !== parsed.mode) {
    return { valid: false, reason: AuthReason.KEY_INVALID };
  }
  const state = keyState(key, deps.clock.now());
  const ref: KeyRef = { id: key.id, appId: key.appId, mode: key.mode };
  switch (state.status) {
    case KeyStatus.REVOKED:
      return { valid: false, reason: AuthReason.KEY_REVOKED, key: ref };
    case KeyStatus.EXPIRED:
      return { valid: false, reason: AuthReason.KEY_EXPIRED, key: ref };
    case KeyStatus.ACTIVE:
    case KeyStatus.ROTATING:
      return {
        valid: true,
        principal: {
          type: PrincipalType.API_KEY,
          id: key.id,
          appId: key.appId,
          kind: key.kind,
          mode: key.mode,
          role: key.role,
          expiresAt: key.expiresAt,
          allowedOrigins: key.allowedOrigins,
        },
      };
    default: {
      const unreachable: never = state;
      return unreachable;
    }
  }
}
