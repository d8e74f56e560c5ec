import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import { Rotation } from './rotation.entity';

/**
 * Ends the grace of rotations still in grace (for one old key, or a whole app) at `now`.
 * Called in the same transaction that revokes the key(s), so a rotation never reads
 * IN_GRACE for a key that no longer works.
 */
export async function endGrace(em: EntityManager, where: { oldKeyId: string } | { appId: string }, now: Date): Promise<void> {
  const filter: FilterQuery<Rotation> = { ...where, graceEndsAt: { $gt: now } };
  await em.nativeUpdate(Rotation, filter, { graceEndsAt: now, completedAt: now });
}
