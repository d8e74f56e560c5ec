import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../shared/ids';
import { KeyMode } from '../keys/key-enums';

/**
 * The outbox: one row per event, written in the transaction of the change it reports,
 * with the exact body every delivery of it sends (so retries send the same bytes).
 */
@Entity({ tableName: 'webhook_events' })
@Index({ properties: ['appId', 'mode'] })
export class WebhookEvent {
  /** Also the `webhook-id` header: receivers deduplicate retries by it. */
  @PrimaryKey({ type: 'string', length: 64 })
  id: string = newId('msg');

  @Property({ type: 'string', length: 64 })
  type!: string;

  @Property({ type: 'string', length: 64 })
  appId!: string;

  @Enum({ items: () => KeyMode })
  mode!: KeyMode;

  @Property({ type: 'text' })
  body!: string;

  /**
   * Set for timed events only (`key.expiring:<key>:<threshold>`): the unique index makes
   * "emit once" hold across processes, whichever of them finds the event first.
   */
  @Property({ type: 'string', length: 160, nullable: true, unique: true })
  dedupeKey: string | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
