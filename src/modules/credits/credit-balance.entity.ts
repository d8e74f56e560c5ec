import { Embeddable, Embedded, Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '../../shared/ids';

export enum RefillInterval {
  DAILY = 'DAILY',
  MONTHLY = 'MONTHLY',
}
registerEnumType(RefillInterval, { name: 'RefillInterval', description: 'Refills happen at UTC midnight (monthly: on dayOfMonth, clamped to short months).' });

/** How a balance refills: set back to `amount` at the start of each period. */
@ObjectType({ description: 'The balance is set to `amount` at the start of each period (UTC).' })
@Embeddable()
export class CreditRefill {
  @Field(() => RefillInterval)
  // A plain string column, as for roles: MikroORM's SQLite enum check parsing is unreliable.
  @Property({ type: 'string', length: 16 })
  interval!: RefillInterval;

  @Field(() => Int)
  @Property({ type: 'integer' })
  amount!: number;

  @Field(() => Int, { nullable: true, description: 'MONTHLY only: 1 … 31; shorter months refill on their last day.' })
  @Property({ type: 'integer', nullable: true })
  dayOfMonth: number | null = null;
}

/**
 * A usage balance. It is a row of its own, not columns of the key, because during a
 * rotation's grace the old and the new key spend ONE balance: both reference this row,
 * so every spend of either key is the same conditional UPDATE on the same row, exact
 * under concurrency and across processes, and nothing is ever moved between keys.
 * The refill is evaluated at the moment of use (see credit-period.ts and credit-ledger.ts).
 */
@Entity({ tableName: 'credit_balances' })
export class CreditBalance {
  @PrimaryKey({ type: 'string', length: 64 })
  id: string = newId('bal');

  @Property({ type: 'string', length: 64 })
  appId!: string;

  @Property({ type: 'integer' })
  remaining!: number;

  @Embedded({ entity: () => CreditRefill, nullable: true })
  refill: CreditRefill | null = null;

  /** Start of the period the current balance belongs to: when it was set or last refilled. */
  @Property({ type: 'datetime' })
  periodStart!: Date;

  @Property({ type: 'datetime', nullable: true })
  lastRefillAt: Date | null = null;

  /**
   * key.credits_low fires when a spend takes the balance below this: 10 % of the refill
   * amount, or of the balance as it was set when there is no refill (null: never).
   */
  @Property({ type: 'integer', nullable: true })
  lowBelow: number | null = null;

  /**
   * Bumped by every admin set and every refill: a lease (credit-ledger.ts) taken under
   * another generation is void, and is neither spent nor handed back into this one.
   */
  @Property({ type: 'integer', default: 0 })
  generation: number = 0;

  /**
   * key.credits_low in this generation: 0 not yet, 1 sent by the last spending statement,
   * 2 sent before (so a balance lifted back over the line by returned leases fires once).
   */
  @Property({ type: 'integer', default: 0 })
  lowSent: number = 0;

  /** How many uses the last spending statement granted (read back by CreditLedger, which batches uses). */
  @Property({ type: 'integer', default: 0 })
  granted: number = 0;

  /** How many credits the last spending statement moved into its process's lease (read back likewise). */
  @Property({ type: 'integer', default: 0 })
  leased: number = 0;
}
