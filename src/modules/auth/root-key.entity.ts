import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../shared/ids';

/** Operator credential: not bound to an app or mode. Stored as HMAC + display start only. */
@Entity({ tableName: 'root_keys' })
export class RootKey {
  @PrimaryKey({ type: 'string', length: 64 })
  id: string = newId('root');

  @Property({ type: 'string', length: 64, unique: true })
  hash!: string;

  @Property({ type: 'string', length: 64 })
  start!: string;

  @Property({ type: 'string', length: 200 })
  name: string = 'root';

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;
}
