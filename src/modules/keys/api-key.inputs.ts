import { GraphQLJSON } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType, ObjectType } from 'type-graphql';
import { CreditsInput } from '../credits/credits.types';
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

  @Field(() => String, { nullable: true, description: "Who the key belongs to in your own system (≤ 255 printable characters)." })
  ownerId?: string | null;

  @Field(() => GraphQLJSON, { nullable: true, description: 'A JSON object (≤ 4 KiB) returned on verification. Not for secrets.' })
  meta?: unknown;

  @Field(() => [String], { nullable: true, description: 'IPv4/IPv6 addresses and CIDR ranges the key may be used from; empty = anywhere.' })
  allowedIps?: string[] | null;

  @Field(() => CreditsInput, { nullable: true, description: 'A usage balance with an optional refill; null removes the limit.' })
  credits?: CreditsInput | null;

  @Field(() => [String], { nullable: true, description: 'Custom scopes to grant, each declared by the app; a key grants only scopes it holds itself.' })
  scopes?: string[] | null;
}

@InputType()
export class UpdateApiKeyInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => [String], { nullable: true, description: 'Publishable keys only.' })
  allowedOrigins?: string[] | null;

  @Field(() => RateLimitInput, { nullable: true, description: 'Set the per-key request budget; null removes it.' })
  rateLimit?: RateLimitInput | null;

  @Field(() => String, { nullable: true, description: 'Who the key belongs to in your own system; null clears it.' })
  ownerId?: string | null;

  @Field(() => GraphQLJSON, { nullable: true, description: 'A JSON object (≤ 4 KiB) returned on verification; null clears it.' })
  meta?: unknown;

  @Field(() => [String], { nullable: true, description: 'IPv4/IPv6 addresses and CIDR ranges the key may be used from; empty = anywhere.' })
  allowedIps?: string[] | null;

  @Field(() => CreditsInput, { nullable: true, description: 'A usage balance with an optional refill; null removes the limit.' })
  credits?: CreditsInput | null;

  @Field(() => Boolean, { nullable: true, description: 'false: refused with KEY_DISABLED until set back to true (reversible, unlike revocation).' })
  enabled?: boolean | null;

  @Field(() => [String], { nullable: true, description: 'Replaces the custom scopes granted, each declared by the app; a key grants only scopes it holds itself.' })
  scopes?: string[] | null;
}

@ArgsType()
export class ApiKeysArgs extends PageArgs {
  @Field(() => KeyMode, { nullable: true })
  mode?: KeyMode | null;

  @Field(() => [KeyStatus], { nullable: true })
  status?: KeyStatus[] | null;

  @Field(() => String, { nullable: true, description: 'Only keys of this owner.' })
  ownerId?: string | null;

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
