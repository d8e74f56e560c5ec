import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { newId } from '../../shared/ids';
import { KeyMode } from '../keys/key-enums';
import { PrincipalType } from '../auth/principal';

/**
 * Who did what to which object, when and from where. Written in the same transaction
 * as the change it records. `details` holds names and settings, never key material.
 */
@ObjectType()
@Entity({ tableName: 'audit_events' })
@Index({ properties: ['appId', 'mode', 'id'] })
@Index({ properties: ['appId', 'id'] })
@Index({ properties: ['appId', 'mode', 'seq'] })
export class AuditEvent {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 64 })
  id: string = newId('evt');

  @Field(() => Date)
  @Property({ type: 'datetime' })
  at: Date = new Date();

  @Field(() => ID, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  appId: string | null = null;

  @Field(() => KeyMode, { nullable: true })
  @Enum({ items: () => KeyMode, nullable: true })
  mode: KeyMode | null = null;

  @Field(() => PrincipalType)
  // A plain string column, as for roles: MikroORM's SQLite check-constraint parser
  // misreads a three-value enum check and reports a phantom schema change on every diff.
  @Property({ type: 'string', length: 16 })
  actorType!: PrincipalType;

  @Field(() => ID, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  actorId: string | null = null;

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  action!: string;

  @Field(() => ID, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  targetId: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  ip: string | null = null;

  @Field(() => GraphQLJSON, { nullable: true })
  @Property({ type: 'json', nullable: true })
  details: Record<string, unknown> | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  requestId: string | null = null;

  /**
   * Position in its chain (app + mode, or app-level), from 1. Events written before the
   * chain existed keep 0 (and an empty hash) and are outside any chain.
   */
  @Property({ type: 'integer', default: 0 })
  seq!: number;

  /** Hash of the previous event in the chain (null for the first). */
  @Property({ type: 'string', length: 64, nullable: true })
  prevHash: string | null = null;

  /** SHA-256 over this event's canonical content and prevHash (see audit-chain.ts). */
  @Property({ type: 'string', length: 64, default: '' })
  hash!: string;
}
