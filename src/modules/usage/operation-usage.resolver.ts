import type { EntityManager as SqlEntityManager } from '@mikro-orm/knex';
import { Arg, Ctx, Field, FieldResolver, Float, Int, ObjectType, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { ApiKey } from '../keys/api-key.entity';

/** At most this many operations per answer, the busiest first: a key's callers choose the names. */
export const MAX_OPERATIONS = 500;
const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

@ObjectType({ description: 'What one key did through the gateway with one operation since a time.' })
export class OperationUsage {
  @Field(() => String, { nullable: true, description: 'The operation name; null for anonymous operations.' })
  operationName!: string | null;

  @Field(() => Int)
  requests!: number;

  @Field(() => Int, { description: 'Requests answered with errors, refused after planning, or failed upstream.' })
  errors!: number;

  @Field(() => Float, { description: 'The estimated cost of the requests that ran (the credits they spent, for a key with credits).' })
  cost!: number;
}

interface Row {
  name: string;
  requests: number | string;
  errors: number | string;
  cost: number | string;
}

@Resolver(() => ApiKey)
export class ApiKeyOperationsResolver {
  @FieldResolver(() => [OperationUsage], {
    description: `Gateway operations by this key (and the session tokens it minted), summed per operation name over the hours since \`since\` (default 24 h ago), busiest first, at most ${MAX_OPERATIONS}.`,
  })
  async operations(@Root() key: ApiKey, @Arg('since', () => Date, { nullable: true }) since: Date | null | undefined, @Ctx() ctx: Context): Promise<OperationUsage[]> {
    const now = ctx.runtime.clock.now().getTime();
    // Counted per hour: the hour `since` falls in is included whole.
    const from = Math.floor((since?.getTime() ?? now - DAY_MS) / HOUR_MS) * HOUR_MS;
    // Counts are batched off the request path: what is counted so far is written first.
    await ctx.runtime.usage.flush();
    const em = ctx.em as SqlEntityManager;
    const rows = await em.execute<Row[]>(
      `select operation_name as name, sum(requests) as requests, sum(errors) as errors, sum(cost) as cost from operation_usage
       where key_id = ? and hour >= ? group by operation_name order by sum(requests) desc, operation_name limit ${MAX_OPERATIONS}`,
      [key.id, em.getPlatform().processDateProperty(new Date(from))],
    );
    return rows.map((r) => ({ operationName: r.name === '' ? null : r.name, requests: Number(r.requests), errors: Number(r.errors), cost: Number(r.cost) }));
  }
}
