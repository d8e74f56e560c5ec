import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { TokenAlgorithm } from '../sessions/token-algorithm';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../shared/ids';
import { AppScope } from './app-scope.types';
import { TrustedDocumentsPolicy } from '../gateway/trusted-document.entity';

/** App.maxOperationCost's default (DESIGN.md, Gateway). */
export const DEFAULT_MAX_OPERATION_COST = 5000;
/** The largest limit an app may set. */
export const MAX_OPERATION_COST_LIMIT = 1_000_000;

export const DEFAULT_TOKEN_LIFETIME = 1800;
export const DEFAULT_MAX_TOKEN_LIFETIME = 86400;

/** What happens when a code host reports one of the app's secret keys as leaked. */
export enum LeakedKeyPolicy {
  /** Revoke the key at once (reason `leaked`), audit and send `key.leaked`. */
  REVOKE = 'REVOKE',
  /** Only audit and send `key.leaked`; the key keeps working. */
  NOTIFY = 'NOTIFY',
}
registerEnumType(LeakedKeyPolicy, { name: 'LeakedKeyPolicy' });

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

  // A plain string column, like ApiKey.role (SQLite check constraints, see there).
  @Field(() => LeakedKeyPolicy)
  @Property({ type: 'string', length: 16, default: LeakedKeyPolicy.REVOKE })
  leakedKeyPolicy: LeakedKeyPolicy = LeakedKeyPolicy.REVOKE;

  /** Declared scopes, sorted by name; keys are granted a subset (key-scopes.ts). */
  @Field(() => [AppScope], { description: 'The custom scopes its keys may be granted. Effective scopes add the built-in public, read, write and admin.' })
  @Property({ type: 'json', default: '[]' })
  scopes: AppScope[] = [];

  // Set by AppService.create from KEYGATE_TOKEN_ALGORITHM; apps made before the choice existed keep EdDSA.
  @Field(() => TokenAlgorithm, { description: 'How its session tokens are signed (default KEYGATE_TOKEN_ALGORITHM).' })
  @Property({ type: 'string', length: 16, default: TokenAlgorithm.EDDSA })
  tokenAlgorithm: TokenAlgorithm = TokenAlgorithm.EDDSA;

  @Field(() => Int, { description: 'The most an operation through the gateway may be estimated to cost (default 5000); above it the operation is refused before it runs.' })
  @Property({ type: 'integer', default: DEFAULT_MAX_OPERATION_COST })
  maxOperationCost: number = DEFAULT_MAX_OPERATION_COST;

  @Field(() => TrustedDocumentsPolicy, { description: 'Which gateway callers may run only registered documents (default OFF).' })
  @Property({ type: 'string', length: 16, default: TrustedDocumentsPolicy.OFF })
  trustedDocumentsPolicy: TrustedDocumentsPolicy = TrustedDocumentsPolicy.OFF;
}
