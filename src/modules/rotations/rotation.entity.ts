import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../shared/ids';
import { KeyMode } from '../keys/key-enums';

export enum RotationStatus {
  IN_GRACE = 'IN_GRACE',
  COMPLETED = 'COMPLETED',
}
registerEnumType(RotationStatus, { name: 'RotationStatus' });

/**
 * One key replaced by another. The old key keeps working until graceEndsAt, which is
 * also written to the old key's revokedAt, so the grace ends on time without any job.
 * Ending it early (completeRotation, revoking the old key) moves graceEndsAt to now.
 */
@ObjectType()
@Entity({ tableName: 'rotations' })
@Index({ properties: ['appId', 'mode', 'id'] })
export class Rotation {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 64 })
  id: string = newId('rot');

  @Property({ type: 'string', length: 64 })
  appId!: string;

  @Enum({ items: () => KeyMode })
  mode!: KeyMode;

  @Index()
  @Property({ type: 'string', length: 64 })
  oldKeyId!: string;

  @Index()
  @Property({ type: 'string', length: 64 })
  newKeyId!: string;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  startedAt!: Date;

  @Field(() => Date, { description: 'When the old key stops (or stopped) working.' })
  @Property({ type: 'datetime' })
  graceEndsAt!: Date;

  /** Set when the grace was ended early; otherwise completion is graceEndsAt passing. */
  @Property({ type: 'datetime', nullable: true })
  completedAt: Date | null = null;

  @Property({ type: 'string', length: 64 })
  createdBy!: string;
}

export function rotationStatus(rotation: Pick<Rotation, 'graceEndsAt'>, now: Date): RotationStatus {
  return rotation.graceEndsAt.getTime() <= now.getTime() ? RotationStatus.COMPLETED : RotationStatus.IN_GRACE;
}
