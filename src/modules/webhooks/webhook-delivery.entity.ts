import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../shared/ids';

export enum DeliveryStatus {
  PENDING = 'PENDING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}
registerEnumType(DeliveryStatus, { name: 'DeliveryStatus' });

/**
 * One event on its way to one endpoint. While an attempt runs, `lockedBy` names the
 * process making it and `lockedUntil` bounds its claim: a process that dies mid-attempt
 * leaves a lease that simply runs out, and another process makes the attempt again.
 */
@ObjectType()
@Entity({ tableName: 'webhook_deliveries' })
@Index({ properties: ['status', 'nextAttemptAt'] })
@Index({ properties: ['endpointId', 'id'] })
export class WebhookDelivery {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 64 })
  id: string = newId('dlv');

  @Field(() => ID)
  @Property({ type: 'string', length: 64 })
  eventId!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  eventType!: string;

  @Property({ type: 'string', length: 64 })
  endpointId!: string;

  // A plain string column, like ApiKey.role: see the note there on SQLite check constraints.
  @Field(() => DeliveryStatus)
  @Property({ type: 'string', length: 16 })
  status: DeliveryStatus = DeliveryStatus.PENDING;

  @Field(() => Int)
  @Property({ type: 'integer' })
  attempts: number = 0;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  lastAttemptAt: Date | null = null;

  @Field(() => Date, { nullable: true, description: 'When the next attempt is due (PENDING only).' })
  @Property({ type: 'datetime', nullable: true })
  nextAttemptAt: Date | null = null;

  @Field(() => Int, { nullable: true, description: 'HTTP status of the last attempt; null if no response came.' })
  @Property({ type: 'integer', nullable: true })
  responseStatus: number | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  lockedBy: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  lockedUntil: Date | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
