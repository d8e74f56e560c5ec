import type { EntityManager as SqlEntityManager } from '@mikro-orm/knex';

/** SQL text with its parameters: a fragment used twice carries its parameters twice. */
interface Sql {
  text: string;
  params: unknown[];
}

function isSql(value: unknown): value is Sql {
  return typeof value === 'object' && value !== null && 'text' in value && 'params' in value;
}

/** Interpolated values become parameters; interpolated fragments are inlined with theirs. */
function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  let text = strings[0];
  const params: unknown[] = [];
  values.forEach((value, i) => {
    if (isSql(value)) {
      text += value.text;
      params.push(...value.params);
    } else {
      text += '?';
      params.push(value);
    }
    text += strings[i + 1];
  });
  return { text, params };
}

/** SQL text without parameters. */
const raw = (text: string): Sql => ({ text, params: [] });
/** An integer parameter (PostgreSQL cannot infer the type of a bare `?` in arithmetic). */
const int = (value: number) => sql`cast(${value} as integer)`;
const least = (a: Sql, b: Sql) => sql`(case when ${a} < ${b} then ${a} else ${b} end)`;

/** What one spending statement asks of a balance row. */
export interface Take {
  balanceId: string;
  /** Start of the refill period in force now (null: the balance never refills). */
  periodStart: Date | null;
  now: Date;
  cost: number;
  /** Uses waiting: granted in arrival order while the balance covers their cost. */
  uses: number;
  /** This process's lease, given back into the row by this statement (credits count only if its generation is the row's). */
  carried: { generation: number; left: number };
  /** Credits this process keeps holding meanwhile (a top-up): the new lease adds to them. */
  keep: number;
  /** Most credits the lease may hold after this statement, before the share rule (0: take none). */
  leaseCap: number;
  /** The lease never holds more than 1/share of the balance it is taken from. */
  share: number;
  /** Lock the row first (PostgreSQL: processes run statements on the balance at the same time). */
  lock: boolean;
}

export interface Taken {
  /** The row's balance after the statement: what no process holds in a lease. */
  remaining: number;
  granted: number;
  leased: number;
  generation: number;
  /** Whether this statement took the balance below its key.credits_low line (first time in this generation). */
  crossedLow: { lowBelow: number; appId: string } | null;
}

/**
 * The one conditional UPDATE that spends: it applies a due refill, takes back the lease
 * this process carries, grants the waiting uses the balance covers, and moves a new lease
 * out of the row, all under the row's lock — so no two uses, in any process, spend the
 * same credit. No row when the balance (after the refill, with the carried lease) is
 * below one use's cost: nothing is written.
 */
export async function takeCredits(em: SqlEntityManager, take: Take): Promise<Taken | null> {
  const date = (d: Date | null) => (d ? em.getPlatform().processDateProperty(d) : null);
  const start = date(take.periodStart); // null never refills: `period_start < null` is never true
  const cost = int(take.cost);
  // Every value is computed once, from the row as the first step read it: on PostgreSQL it is
  // locked there (FOR UPDATE waits for other processes' statements and reads the row as they
  // left it); SQLite is one process with one connection, whose transactions never interleave.
  const balance = sql`
    with r as (
      select id, remaining, refill_amount, generation, refill_interval is not null and period_start < ${start} as due
      from credit_balances where id = ${take.balanceId}${raw(take.lock ? ' for update' : '')}
    ),
    b as (select id, due, case when due then refill_amount else remaining + (case when generation = ${int(take.carried.generation)} then ${int(take.carried.left)} else 0 end) end as b from r),
    g as (select id, due, b, ${take.cost === 0 ? int(take.uses) : least(sql`b / ${cost}`, int(take.uses))} as g from b),
    w as (select id, due, b, g, b - ${cost} * g as rest, ${least(sql`b / ${int(take.share)}`, int(take.leaseCap))} - ${int(take.keep)} as want from g),
    l as (select id, due, b, g, rest, ${take.cost === 0 || take.leaseCap === 0 ? int(0) : sql`case when ${least(sql`want`, sql`rest`)} < ${cost} then 0 else ${least(sql`want`, sql`rest`)} end`} as lease from w)`;
  const statement = sql`${balance}
    update credit_balances set
      granted = l.g,
      leased = l.lease,
      remaining = l.rest - l.lease,
      low_sent = case when (case when l.due then 0 else low_sent end) <> 0 then 2
        when low_below is not null and l.b >= low_below and l.rest - l.lease < low_below then 1 else 0 end,
      generation = case when l.due then generation + 1 else generation end,
      last_refill_at = case when l.due then ${start} else last_refill_at end,
      period_start = case when l.due then ${start} else period_start end
    from l
    where credit_balances.id = l.id and l.b >= ${cost}
    returning remaining, granted, leased, generation, low_sent, low_below, app_id`;
  const rows = await em.execute<Record<string, unknown>[]>(statement.text, statement.params, 'all');
  if (rows.length !== 1) return null;
  const row = rows[0];
  return {
    remaining: Number(row.remaining),
    granted: Number(row.granted),
    leased: Number(row.leased),
    generation: Number(row.generation),
    crossedLow: Number(row.low_sent) === 1 ? { lowBelow: Number(row.low_below), appId: String(row.app_id) } : null,
  };
}

/**
 * Gives a lease's unspent credits back to the row, only if the row is still the balance
 * the lease was taken from (no admin set, no refill since): otherwise they are void.
 */
export async function returnCredits(em: SqlEntityManager, balanceId: string, generation: number, left: number): Promise<boolean> {
  const statement = sql`update credit_balances set remaining = remaining + ${int(left)} where id = ${balanceId} and generation = ${int(generation)}`;
  const result = await em.execute(statement.text, statement.params, 'run');
  return Number((result as { affectedRows?: number }).affectedRows ?? 0) === 1;
}
