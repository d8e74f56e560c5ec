import { EntityRepository, type FilterQuery } from '@mikro-orm/core';
import type { ApiKey } from './api-key.entity';

export class ApiKeyRepository extends EntityRepository<ApiKey> {
  /**
   * SQL for "keys that still work at instant `at`": not revoked (a rotation's grace may
   * still run) and not expired. Disabled keys are included: disabling pauses a key, it
   * does not end it, so they can still be revoked, rotated and are revoked with their app.
   * Relies on the invariant every write keeps: revokedAt, when set, is never later than
   * expiresAt.
   */
  workingAt(at: Date): FilterQuery<ApiKey> {
    return { $and: [{ $or: [{ revokedAt: null }, { revokedAt: { $gt: at } }] }, { $or: [{ expiresAt: null }, { expiresAt: { $gt: at } }] }] };
  }
}
