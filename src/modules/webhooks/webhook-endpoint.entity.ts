import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { newId } from '../../shared/ids';
import { KeyMode } from '../keys/key-enums';

export const MAX_URL_LENGTH = 2048;

/**
 * Where an app's events of one mode are sent. The signing secret is kept sealed under
 * the master key (not hashed, unlike API keys): signing each delivery needs its value.
 */
@ObjectType({ description: 'A receiver of signed events about keys, for one app and mode.' })
@Entity({ tableName: 'webhook_endpoints' })
@Index({ properties: ['appId', 'mode'] })
export class WebhookEndpoint {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 64 })
  id: string = newId('whk');

  @Property({ type: 'string', length: 64 })
  appId!: string;

  @Field(() => KeyMode)
  @Enum({ items: () => KeyMode })
  mode!: KeyMode;

  @Field(() => String)
  @Property({ type: 'string', length: MAX_URL_LENGTH })
  url!: string;

  @Field(() => [String], { description: 'Event types sent here; empty means all.' })
  @Property({ type: 'json' })
  events: string[] = [];

  @Field(() => Boolean)
  @Property({ type: 'boolean' })
  enabled: boolean = true;

  /** AES-256-GCM sealed `whsec_…` value, bound to this id; never exposed. */
  @Property({ type: 'text', lazy: true })
  secretSealed!: string;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}
