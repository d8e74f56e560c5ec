import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { newId } from '../../shared/ids';

export const DEFAULT_TOKEN_LIFETIME = 1800;
export const DEFAULT_MAX_TOKEN_LIFETIME = 86400;

@ObjectType({ description: 'One product; all of its platforms share it.' })
@Entity({ tableName: 'apps' })
export class App {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 64 })
  id: string = newId('app');

  @Field(() => String)
  @Property({ type: 'string', length: 200 })
  name!: string;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();

  /** Soft delete keeps the audit trail's references meaningful; a deleted app is invisible. */
  @Index()
  @Property({ type: 'datetime', nullable: true })
  deletedAt: Date | null = null;

  @Field(() => [String], { description: 'Default allowed origins for new publishable keys.' })
  @Property({ type: 'json' })
  allowedOrigins: string[] = [];

  @Field(() => Int)
  @Property({ type: 'integer' })
  defaultTokenLifetime: number = DEFAULT_TOKEN_LIFETIME;

  @Field(() => Int)
  @Property({ type: 'integer' })
  maxTokenLifetime: number = DEFAULT_MAX_TOKEN_LIFETIME;

  @Field(() => Boolean)
  @Property({ type: 'boolean' })
  publishableCanPublish: boolean = false;
}
