import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { KeyMode } from '../keys/key-enums';

/** The longest operation name counted as itself; longer ones are cut (names are chosen by callers). */
export const MAX_OPERATION_NAME = 200;

/**
 * Per key, per hour (UTC), per gateway operation: counters written only by UsageRecorder,
 * as increments. An anonymous operation is counted under the name "".
 */
@Entity({ tableName: 'operation_usage' })
@Index({ properties: ['appId', 'mode', 'hour'] })
export class OperationUsage {
  @PrimaryKey({ type: 'string', length: 64 })
  keyId!: string;

  @PrimaryKey({ type: 'datetime' })
  hour!: Date;

  @PrimaryKey({ type: 'string', length: MAX_OPERATION_NAME })
  operationName!: string;

  @Property({ type: 'string', length: 64 })
  appId!: string;

  @Enum({ items: () => KeyMode })
  mode!: KeyMode;

  @Property({ type: 'integer' })
  requests: number = 0;

  @Property({ type: 'integer' })
  errors: number = 0;

  @Property({ type: 'bigint', columnType: 'bigint' })
  cost: number = 0;
}
