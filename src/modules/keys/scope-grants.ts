import type { EntityManager } from '@mikro-orm/core';
import { NotFoundError } from '../../errors';
import { App } from '../apps/app.entity';
import type { Principal } from '../auth/principal';
import { ApiKey } from './api-key.entity';
import { addedScopes, assertMayGrant, normalizeGrantedScopes } from './key-scopes';

/** A key's custom scopes after a grant, and what changed (names only: the audit trail's details). */
export interface ScopeGrant {
  scopes: string[];
  added: string[];
  removed: string[];
}

/**
 * The scopes a key is to hold (replacing `current`): each declared by the app, and each
 * one added held by the granter itself (root: any declared one).
 */
export async function grantScopes(tem: EntityManager, granter: Principal, appId: string, requested: readonly string[], current: readonly string[]): Promise<ScopeGrant> {
  const app = await tem.findOne(App, { id: appId, deletedAt: null }, { fields: ['id', 'scopes'] });
  if (!app) throw new NotFoundError('App');
  const scopes = normalizeGrantedScopes(requested, app.scopes);
  const added = addedScopes(current, scopes);
  assertMayGrant(granter, added);
  return { scopes, added, removed: addedScopes(scopes, current) };
}

/** Keys read per batch while withdrawing scopes: bounds memory for apps with many keys. */
const BATCH = 500;

/**
 * Takes scopes an app no longer declares from each of its keys that holds one, inside the
 * caller's transaction (the app's update). Returns how many keys changed. The JSON column
 * cannot be searched the same way on SQLite and PostgreSQL, so the app's keys that hold any
 * scope are read in id order, in batches, and only those holding a withdrawn one are written.
 */
export async function withdrawScopes(tem: EntityManager, appId: string, removed: readonly string[]): Promise<number> {
  if (removed.length === 0) return 0;
  const gone = new Set(removed);
  let changed = 0;
  let after = '';
  for (;;) {
    const keys = await tem.find(ApiKey, { appId, id: { $gt: after } }, { orderBy: { id: 'asc' }, limit: BATCH, fields: ['id', 'scopes'] });
    for (const key of keys) {
      const kept = key.scopes.filter((scope) => !gone.has(scope));
      if (kept.length === key.scopes.length) continue;
      await tem.nativeUpdate(ApiKey, { id: key.id }, { scopes: kept });
      changed++;
    }
    if (keys.length < BATCH) return changed;
    after = keys[keys.length - 1].id;
  }
}
