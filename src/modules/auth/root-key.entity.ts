import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { newId } from '../../shared/ids';

/** Operator credential: not bound to an app or mode. Stored as HMAC + display start only. */
@ObjectType({ description: 'An operator credential (rk_…): not bound to an app or mode; can do everything.' })
@Entity({ tableName: 'root_keys' })
export class RootKey {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 64 })
  id: string = newId('root');

  @Property({ type: 'string', length: 64, unique: true })
  hash!: string;

  @Field(() => String, { description: 'The first characters of the key, for telling keys apart (the rest is never stored).' })
  @Property({ type: 'string', length: 64 })
  start!: string;

  @Field(() => String, { description: 'A label for people: who or what holds the key.' })
  @Property({ type: 'string', length: 200 })
  name: string = 'root';

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  @Field(() => Date, { nullable: true, description: 'Last successful authentication (to within a second or so across processes).' })
  @Property({ type: 'datetime', nullable: true })
  lastUsedAt: Date | null = null;
}
