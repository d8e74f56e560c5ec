import { Embeddable, Property } from '@mikro-orm/core';
import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { BadInputError } from '../../errors';

export const MAX_RATE_LIMIT = 1_000_000;
export const MAX_RATE_LIMIT_WINDOW_SECONDS = 86_400;

/**
 * A key's request budget: at most `limit` authenticated requests per `windowSeconds`.
 * Embedded in the key row; the column names are the ones the KeyRateLimits migration
 * created, so no data moves.
 */
@ObjectType()
@Embeddable()
export class RateLimit {
  @Field(() => Int)
  @Property({ type: 'integer', fieldName: 'rate_limit' })
  limit!: number;

  @Field(() => Int)
  @Property({ type: 'integer', fieldName: 'rate_limit_window_seconds' })
  windowSeconds!: number;
}

@InputType({ description: 'At most `limit` requests per `windowSeconds`; beyond it the key gets RATE_LIMITED (HTTP 429).' })
export class RateLimitInput {
  @Field(() => Int, { description: `1 … ${MAX_RATE_LIMIT}` })
  limit!: number;

  @Field(() => Int, { description: `1 … ${MAX_RATE_LIMIT_WINDOW_SECONDS} (a day)` })
  windowSeconds!: number;
}

/** Checks a requested rate limit; null means "no limit". */
export function validRateLimit(input: RateLimitInput | null, field = 'rateLimit'): RateLimit | null {
  if (input === null) return null;
  const { limit, windowSeconds } = input;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RATE_LIMIT) {
    throw new BadInputError(`${field}.limit must be between 1 and ${MAX_RATE_LIMIT}`, `${field}.limit`);
  }
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1 || windowSeconds > MAX_RATE_LIMIT_WINDOW_SECONDS) {
    throw new BadInputError(`${field}.windowSeconds must be between 1 and ${MAX_RATE_LIMIT_WINDOW_SECONDS}`, `${field}.windowSeconds`);
  }
  return Object.assign(new RateLimit(), { limit, windowSeconds });
}
