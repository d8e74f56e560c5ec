import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { KeyMode } from '../keys/key-enums';

/** Per key, per hour (UTC) counters. Written only by UsageRecorder, as increments. */
@Entity({ tableName: 'key_usage' })
@Index({ properties: ['appId', 'mode', 'hour'] })
export class KeyUsage {
  @PrimaryKey({ type: 'string', length: 64 })
  keyId!: string;

  @PrimaryKey({ type: 'datetime' })
  hour!: Date;

  @Property({ type: 'string', length: 64 })
  appId!: string;

  @Enum({ items: () => KeyMode })
  mode!: KeyMode;

  @Property({ type: 'integer' })
  verifications: number = 0;

  @Property({ type: 'integer' })
  failures: number = 0;

  @Property({ type: 'integer' })
  tokensIssued: number = 0;
}
