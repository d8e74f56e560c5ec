import { ArgsType, Field, ID, InputType, ObjectType } from 'type-graphql';
import { PageArgs } from '../../shared/pagination';
import { RateLimitInput } from '../rate-limits/rate-limit.types';
import { ApiKey } from './api-key.entity';
import { KeyKind, KeyMode, KeyRole, KeyStatus } from './key-enums';

@InputType()
export class CreateApiKeyInput {
  @Field(() => ID)
  appId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => KeyKind)
  kind!: KeyKind;

  @Field(() => KeyMode)
  mode!: KeyMode;

  @Field(() => KeyRole, { nullable: true, description: 'Required for secret keys; not allowed on publishable keys.' })
  role?: KeyRole | null;

  @Field(() => Date, { nullable: true })
  expiresAt?: Date | null;

  @Field(() => [String], { nullable: true, description: "Publishable keys only; defaults to the app's allowedOrigins." })
  allowedOrigins?: string[] | null;

  @Field(() => RateLimitInput, { nullable: true, description: 'Per-key request budget; none by default.' })
  rateLimit?: RateLimitInput | null;
}

@InputType()
export class UpdateApiKeyInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => [String], { nullable: true, description: 'Publishable keys only.' })
  allowedOrigins?: string[] | null;

  @Field(() => RateLimitInput, { nullable: true, description: 'Set the per-key request budget; null removes it.' })
  rateLimit?: RateLimitInput | null;
}

@ArgsType()
export class ApiKeysArgs extends PageArgs {
  @Field(() => KeyMode, { nullable: true })
  mode?: KeyMode | null;

  @Field(() => [KeyStatus], { nullable: true })
  status?: KeyStatus[] | null;

  @Field(() => Date, { nullable: true, description: 'Only keys not used since this time (never used counts): candidates to revoke.' })
  unusedSince?: Date | null;
}

/** Returned once, when a key is created: the only time its value is ever shown. */
@ObjectType()
export class CreateApiKeyPayload {
  @Field(() => ApiKey)
  apiKey!: ApiKey;

  @Field(() => String, { description: 'The key itself. Shown only here; store it now.' })
  secret!: string;
}
