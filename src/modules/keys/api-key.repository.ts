import { EntityRepository, type FilterQuery } from '@mikro-orm/core';
import type { ApiKey } from './api-key.entity';
import { KeyStatus } from './key-enums';

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

  /** SQL for "status is S at `at`" (the same answer keyState gives for one key), built on workingAt. */
  statusAt(status: KeyStatus, at: Date): FilterQuery<ApiKey> {
    switch (status) {
      case KeyStatus.REVOKED:
        return { revokedAt: { $lte: at } };
      case KeyStatus.EXPIRED:
        return { revokedAt: null, expiresAt: { $lte: at } };
      case KeyStatus.ROTATING:
        return { $and: [this.workingAt(at), { revokedAt: { $ne: null }, enabled: true }] };
      case KeyStatus.ACTIVE:
        return { $and: [this.workingAt(at), { revokedAt: null, enabled: true }] };
      case KeyStatus.DISABLED:
        return { $and: [this.workingAt(at), { enabled: false }] };
      default: {
        const unreachable: never = status;
        return unreachable;
      }
    }
  }
}
