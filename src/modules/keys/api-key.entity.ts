import { Embedded, Entity, EntityRepositoryType, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { newId } from '../../shared/ids';
import { RateLimit } from '../rate-limits/rate-limit.types';
import { ApiKeyRepository } from './api-key.repository';
import { KeyKind, KeyMode, KeyRole } from './key-enums';

export const MAX_NAME_LENGTH = 200;

/**
 * An app's API key. The secret value is never stored: only its HMAC (`hash`) and its
 * display prefix (`start`). Publishable keys are public by design and also keep their
 * value. Status is derived from the timestamps at read time (see key-state.ts), so a
 * rotation's grace or an expiry ends exactly on time with no job running.
 */
@ObjectType()
@Entity({ tableName: 'api_keys', repository: () => ApiKeyRepository })
@Index({ properties: ['appId', 'mode', 'id'] })
@Index({ properties: ['appId', 'ownerId'] })
export class ApiKey {
  [EntityRepositoryType]?: ApiKeyRepository;

  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 64 })
  id: string = newId('key');

  /** A plain column, no foreign key: apps are only ever soft-deleted. */
  @Property({ type: 'string', length: 64 })
  appId!: string;

  @Field(() => String)
  @Property({ type: 'string', length: MAX_NAME_LENGTH })
  name!: string;

  @Field(() => KeyKind)
  @Enum({ items: () => KeyKind })
  kind!: KeyKind;

  @Field(() => KeyMode)
  @Enum({ items: () => KeyMode })
  mode!: KeyMode;

  @Field(() => KeyRole, { nullable: true, description: 'Secret keys only.' })
  // A plain string column: MikroORM's SQLite check-constraint parser drops READ_WRITE
  // from an enum check and then reports a phantom schema change on every diff.
  @Property({ type: 'string', length: 16, nullable: true })
  role: KeyRole | null = null;

  /** HMAC-SHA-256 of the key; never exposed. */
  @Property({ type: 'string', length: 64, unique: true, lazy: false })
  hash!: string;

  @Field(() => String, { description: 'Display prefix: type, mode and the first characters.' })
  @Property({ type: 'string', length: 64 })
  start!: string;

  @Field(() => String, { nullable: true, description: 'Full value of a publishable key (public by design).' })
  @Property({ type: 'string', length: 160, nullable: true })
  publishableKey: string | null = null;

  @Field(() => [String])
  @Property({ type: 'json' })
  allowedOrigins: string[] = [];

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  expiresAt: Date | null = null;

  /** Written in batches by UsageRecorder; the resolver adds this process's unwritten uses. */
  @Property({ type: 'datetime', nullable: true })
  lastUsedAt: Date | null = null;

  /** When the key stops (or stopped) working; in the future while a rotation's grace runs. */
  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 500, nullable: true })
  revokedReason: string | null = null;

  /** The per-key request budget; null = no per-key limit. */
  @Field(() => RateLimit, { nullable: true, description: 'The per-key request budget, if any.' })
  @Embedded({ entity: () => RateLimit, nullable: true, prefix: false })
  rateLimit: RateLimit | null = null;

  /** Who in the product's own system the key belongs to (a customer, a team). */
  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 255, nullable: true })
  ownerId: string | null = null;

  /** Free-form JSON object returned on verification, never interpreted. */
  @Field(() => GraphQLJSON, { nullable: true, description: 'Returned on verification; shown to every reader of the key, so no secrets.' })
  @Property({ type: 'json', nullable: true })
  meta: Record<string, unknown> | null = null;

  /** false = refused with KEY_DISABLED until enabled again (unlike revocation, reversible). */
  @Field(() => Boolean)
  @Property({ type: 'boolean', default: true })
  enabled: boolean = true;

  /** Client addresses and CIDR ranges the key may be used from; empty = anywhere. */
  @Field(() => [String])
  @Property({ type: 'json', default: '[]' })
  allowedIps: string[] = [];

  /** Custom scopes granted, each declared by the app (sorted); the built-in ones come from kind and role. */
  @Field(() => [String], { description: 'Custom scopes granted to the key, each declared by its app. Its effective scopes add the built-in ones of its kind and role.' })
  @Property({ type: 'json', default: '[]' })
  scopes: string[] = [];

  /** The usage balance the key spends (shared with its rotation partner during a grace); null = unlimited. */
  @Property({ type: 'string', length: 64, nullable: true })
  creditBalanceId: string | null = null;

  /** Who created it (principal id), for the audit trail and the console. */
  @Property({ type: 'string', length: 64, nullable: true })
  createdBy: string | null = null;
}
