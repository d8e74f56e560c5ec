import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';

/**
 * An Ed25519 key that signs session tokens. The private half is stored only encrypted
 * (AES-256-GCM under a key derived from KEYGATE_MASTER_KEY); the public half is
 * published in the JWKS until every token it signed has expired (publishUntil).
 */
@ObjectType()
@Entity({ tableName: 'signing_keys' })
export class SigningKey {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 64 })
  kid!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 16 })
  algorithm: string = 'EdDSA';

  /** Public JWK (kty, crv, x). */
  @Property({ type: 'json' })
  publicJwk!: Record<string, string>;

  /** `v1.<iv>.<tag>.<ciphertext>` (base64url) of the PKCS#8 private key; never logged or exposed. */
  @Property({ type: 'text', lazy: true })
  privateKeyEncrypted!: string;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it stopped signing new tokens.' })
  @Property({ type: 'datetime', nullable: true })
  retiredAt: Date | null = null;

  /** A retired key stays in the JWKS until then: retirement + the longest token lifetime allowed then. */
  @Property({ type: 'datetime', nullable: true })
  publishUntil: Date | null = null;
}
