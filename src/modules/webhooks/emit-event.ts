import type { EntityManager } from '@mikro-orm/core';
import type { EntityManager as SqlEntityManager } from '@mikro-orm/knex';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { KeyMode } from '../keys/key-enums';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { WebhookEvent } from './webhook-event.entity';
import type { WebhookEventType } from './webhook-event-types';
import { WEBHOOKS_CHANNEL, markOutboxWritten } from './outbox-signal';

export interface EventSpec {
  type: WebhookEventType;
  appId: string;
  mode: KeyMode;
  /** Ids and facts only (snake_case): never a key, token, hash or secret. */
  data: Record<string, unknown>;
  /** Timed events: the event is written only if no event with this key exists (see scheduler). */
  dedupeKey?: string;
}

/**
 * Writes an event to the outbox inside the caller's transaction, with one delivery per
 * enabled endpoint of its app and mode that subscribes to it. Nothing is sent here: the
 * dispatcher picks the deliveries up after the commit, so a rollback sends nothing and
 * a crash after the commit loses nothing.
 */
export async function emitEvent(tem: EntityManager, spec: EventSpec, now: Date): Promise<void> {
  const endpoints = await tem.find(WebhookEndpoint, { appId: spec.appId, mode: spec.mode, enabled: true });
  await writeEvent(tem, spec, endpoints.filter((e) => e.events.length === 0 || e.events.includes(spec.type)), now);
}

/** The outbox write for given endpoints (sendTestWebhook: exactly one). */
export async function writeEvent(tem: EntityManager, spec: EventSpec, endpoints: WebhookEndpoint[], now: Date): Promise<{ event: WebhookEvent; deliveries: WebhookDelivery[] }> {
  const event = Object.assign(new WebhookEvent(), {
    type: spec.type,
    appId: spec.appId,
    mode: spec.mode,
    dedupeKey: spec.dedupeKey ?? null,
    createdAt: now,
    body: JSON.stringify({ type: spec.type, timestamp: now.toISOString(), data: { app_id: spec.appId, mode: spec.mode, ...spec.data } }),
  });
  tem.persist(event);
  const deliveries = endpoints.map((endpoint) =>
    Object.assign(new WebhookDelivery(), {
      eventId: event.id,
      eventType: spec.type,
      endpointId: endpoint.id,
      createdAt: now,
      // The schedule's first entry is 0 (config.ts): the first attempt is due at once.
      nextAttemptAt: now,
    }),
  );
  tem.persist(deliveries);
  if (deliveries.length) await deliveriesDue(tem);
  return { event, deliveries };
}

/** Inside the transaction that made deliveries due: wakes the dispatchers once it commits. */
export async function deliveriesDue(tem: EntityManager): Promise<void> {
  markOutboxWritten(tem);
  // Delivered by PostgreSQL at commit (and only then) to every process's dispatcher.
  if (tem.getDriver() instanceof PostgreSqlDriver) await (tem as SqlEntityManager).execute('select pg_notify(?, ?)', [WEBHOOKS_CHANNEL, ''], 'all');
}
