import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { BadInputError } from '../../errors';
import { CreditRefill, RefillInterval } from './credit-balance.entity';

export const MAX_CREDITS = 1_000_000_000_000;

/** A key's balance as it reads now (a refill that is due counts as done). */
@ObjectType()
export class KeyCredits {
  @Field(() => Int, { description: "The balance row plus what this process holds in a lease; other processes' leases count as spent until they give them back." })
  remaining!: number;

  @Field(() => CreditRefill, { nullable: true })
  refill!: CreditRefill | null;

  @Field(() => Date, { nullable: true })
  lastRefillAt!: Date | null;
}

@InputType()
export class CreditRefillInput {
  @Field(() => RefillInterval)
  interval!: RefillInterval;

  @Field(() => Int, { description: 'The balance each period starts with: 1 … 10^12 (a GraphQL Int caps it at 2^31 − 1).' })
  amount!: number;

  @Field(() => Int, { nullable: true, description: 'MONTHLY only: 1 … 31 (default 1); clamped to short months.' })
  dayOfMonth?: number | null;
}

@InputType({ description: 'A usage balance: each use spends its cost; below the cost the key is refused with USAGE_EXCEEDED.' })
export class CreditsInput {
  @Field(() => Int, { description: '0 … 10^12 (a GraphQL Int caps it at 2^31 − 1)' })
  remaining!: number;

  @Field(() => CreditRefillInput, { nullable: true })
  refill?: CreditRefillInput | null;
}

export interface CreditsSpec {
  remaining: number;
  refill: CreditRefill | null;
}

function amountIn(value: number, field: string, min: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > MAX_CREDITS) throw new BadInputError(`${field} must be between ${min} and ${MAX_CREDITS}`, field);
  return value;
}

/** Checks requested credits; null means "no limit". */
export function validCredits(input: CreditsInput | null, field = 'credits'): CreditsSpec | null {
  if (input === null) return null;
  const remaining = amountIn(input.remaining, `${field}.remaining`, 0);
  if (!input.refill) return { remaining, refill: null };
  const { interval, dayOfMonth } = input.refill;
  const amount = amountIn(input.refill.amount, `${field}.refill.amount`, 1);
  let day: number | null = null;
  if (interval === RefillInterval.MONTHLY) {
    day = dayOfMonth ?? 1;
    if (!Number.isInteger(day) || day < 1 || day > 31) throw new BadInputError(`${field}.refill.dayOfMonth must be between 1 and 31`, `${field}.refill.dayOfMonth`);
  } else if (dayOfMonth !== undefined && dayOfMonth !== null) {
    throw new BadInputError(`${field}.refill.dayOfMonth applies to MONTHLY refills only`, `${field}.refill.dayOfMonth`);
  }
  return { remaining, refill: Object.assign(new CreditRefill(), { interval, amount, dayOfMonth: day }) };
}
