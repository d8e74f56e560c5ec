import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { KeyMode } from '../keys/key-enums';

@InputType()
export class MediaGrantInput {
  @Field(() => Boolean, { nullable: true, description: 'Default false.' })
  allowPublishAudio?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Default false.' })
  allowPublishVideo?: boolean | null;
}

@InputType()
export class SessionServicesInput {
  @Field(() => MediaGrantInput, { nullable: true })
  media?: MediaGrantInput | null;
}

@InputType()
export class SessionAccessInput {
  @Field(() => ID, { nullable: true, description: 'Root keys name the app; app keys may omit it (their own app).' })
  appId?: string | null;

  @Field(() => KeyMode, { nullable: true, description: 'Root keys name the mode; app keys may omit it (their own mode).' })
  mode?: KeyMode | null;

  @Field(() => String)
  userId!: string;

  @Field(() => String, { nullable: true })
  channelId?: string | null;

  @Field(() => Int, { nullable: true, description: "Seconds, 60 … the app's maxTokenLifetime; default the app's defaultTokenLifetime." })
  tokenLifetime?: number | null;

  @Field(() => SessionServicesInput, { nullable: true })
  services?: SessionServicesInput | null;

  @Field(() => [String], {
    nullable: true,
    description: "The token's scopes: fewer than the key's effective scopes (default all of them). A scope the key lacks is refused (INSUFFICIENT_SCOPE).",
  })
  scopes?: string[] | null;
}

@ObjectType()
export class SessionToken {
  @Field(() => String)
  token!: string;

  @Field(() => ID)
  tokenId!: string;

  @Field(() => Date)
  expiresAt!: Date;

  @Field(() => Date, { description: 'When to fetch a new token (80 % of the lifetime).' })
  refreshAt!: Date;
}

@ObjectType()
export class TokenIntrospection {
  @Field(() => Boolean)
  active!: boolean;

  @Field(() => ID, { nullable: true })
  tokenId?: string | null;

  @Field(() => ID, { nullable: true })
  appId?: string | null;

  @Field(() => ID, { nullable: true })
  keyId?: string | null;

  @Field(() => String, { nullable: true })
  userId?: string | null;

  @Field(() => String, { nullable: true })
  channelId?: string | null;

  @Field(() => KeyMode, { nullable: true })
  mode?: KeyMode | null;

  @Field(() => GraphQLJSON, { nullable: true })
  services?: unknown;

  @Field(() => [String], { nullable: true, description: "The token's scopes now: its scope claim, less any its minting key no longer holds." })
  scopes?: string[] | null;

  @Field(() => Date, { nullable: true })
  issuedAt?: Date | null;

  @Field(() => Date, { nullable: true })
  expiresAt?: Date | null;
}
