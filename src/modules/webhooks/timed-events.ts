import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/core';
import { ApiKey } from '../keys/api-key.entity';
import { Rotation } from '../rotations/rotation.entity';
import { type EventSpec, emitEvent } from './emit-event';
import { WebhookEvent } from './webhook-event.entity';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** Each key gets the notice of the nearest threshold it is inside: one at 7 days, one at 1 day. */
const EXPIRY_NOTICES = [
  { label: '1d', within: DAY, after: 0 },
  { label: '7d', within: 7 * DAY, after: DAY },
] as const;
const GRACE_NOTICE_MS = HOUR;
const BATCH = 500;

/**
 * Finds timed events that are due (`key.expiring` 7 d and 1 d before expiry,
 * `rotation.grace_ending` 1 h before the grace ends) and writes each to the outbox once.
 * "Once" holds across processes through the unique dedupeKey: of two processes that
 * find the same event, the second one's insert fails and its transaction rolls back.
 * Returns how many events this call wrote.
 */
export async function scanTimedEvents(em: EntityManager, now: Date): Promise<number> {
  const due: EventSpec[] = [];
  for (const notice of EXPIRY_NOTICES) {
    const keys = await em.find(
      ApiKey,
      { revokedAt: null, expiresAt: { $gt: new Date(now.getTime() + notice.after), $lte: new Date(now.getTime() + notice.within) } },
      { limit: BATCH, orderBy: { expiresAt: 'asc' } },
    );
    for (const key of keys) {
      due.push({
        type: 'key.expiring',
        appId: key.appId,
        mode: key.mode,
        data: { key_id: key.id, expires_at: key.expiresAt!.toISOString(), notice: notice.label },
        dedupeKey: `key.expiring:${key.id}:${notice.label}`,
      });
    }
  }
  const rotations = await em.find(
    Rotation,
    { graceEndsAt: { $gt: now, $lte: new Date(now.getTime() + GRACE_NOTICE_MS) } },
    { limit: BATCH, orderBy: { graceEndsAt: 'asc' } },
  );
  for (const r of rotations) {
    due.push({
      type: 'rotation.grace_ending',
      appId: r.appId,
      mode: r.mode,
      data: { key_id: r.oldKeyId, rotation_id: r.id, new_key_id: r.newKeyId, grace_ends_at: r.graceEndsAt.toISOString() },
      dedupeKey: `rotation.grace_ending:${r.id}`,
    });
  }
  if (due.length === 0) return 0;
  const seen = new Set(
    (await em.find(WebhookEvent, { dedupeKey: { $in: due.map((d) => d.dedupeKey!) } }, { fields: ['dedupeKey'] })).map((e) => e.dedupeKey),
  );
  let written = 0;
  for (const spec of due.filter((d) => !seen.has(d.dedupeKey!))) {
    try {
      await em.fork().transactional(async (tem) => {
        await emitEvent(tem, spec, now);
      });
      written += 1;
    } catch (error) {
      // Another process wrote this event first: exactly what the unique key is for.
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
    }
  }
  return written;
}
