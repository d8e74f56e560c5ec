import type { EntityManager as SqlEntityManager } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/core';
import type { Runtime } from '../../context';
import { BadInputError } from '../../errors';
import type { KeyMode } from '../keys/key-enums';

export enum UsageGranularity {
  HOUR = 'HOUR',
  DAY = 'DAY',
}

export interface UsageCounts {
  start: Date;
  verifications: number;
  failures: number;
  tokensIssued: number;
}

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
const STEP_MS: Record<UsageGranularity, number> = { HOUR: HOUR_MS, DAY: DAY_MS };
/** Longest range per granularity: bounded so a response is at most ~750 buckets. */
const MAX_RANGE_MS: Record<UsageGranularity, number> = { HOUR: 31 * DAY_MS, DAY: 731 * DAY_MS };
const DEFAULT_RANGE_MS: Record<UsageGranularity, number> = { HOUR: DAY_MS, DAY: 30 * DAY_MS };
/** The most buckets any valid range yields (31 days of hours, plus a partial first one). */
export const MAX_USAGE_BUCKETS = Math.max(...Object.values(UsageGranularity).map((g) => MAX_RANGE_MS[g] / STEP_MS[g] + 1));

export interface UsageQuery {
  from?: Date | null;
  to?: Date | null;
  granularity?: UsageGranularity | null;
}

export type UsageScope = { keyId: string } | { appId: string; mode: KeyMode | null };

/** A usage query made concrete: bucket-aligned start, end, step and how many buckets that is. */
interface UsageRange {
  start: number;
  to: Date;
  step: number;
  buckets: number;
}

/** The range a query asks for (defaults filled in), or BAD_USER_INPUT naming `from`. */
export function usageRange(query: UsageQuery, now: Date): UsageRange {
  const granularity = query.granularity ?? UsageGranularity.HOUR;
  const step = STEP_MS[granularity];
  const to = query.to ?? now;
  const from = query.from ?? new Date(to.getTime() - DEFAULT_RANGE_MS[granularity]);
  if (from >= to) throw new BadInputError('from must be before to', 'from');
  if (to.getTime() - from.getTime() > MAX_RANGE_MS[granularity]) {
    throw new BadInputError(`The range may span at most ${MAX_RANGE_MS[granularity] / DAY_MS} days at ${granularity} granularity`, 'from');
  }
  const start = Math.floor(from.getTime() / step) * step;
  return { start, to, step, buckets: Math.ceil((to.getTime() - start) / step) };
}

/**
 * How many buckets a `usage` field will return: what the GraphQL cost model charges for it.
 * A range the resolver will refuse is charged as the largest one (it is refused either way).
 */
export function usageBucketCount(query: UsageQuery, now: Date): number {
  try {
    return usageRange(query, now).buckets;
  } catch {
    return MAX_USAGE_BUCKETS;
  }
}

type UsageRow = { id: string; hour: Date | number | string; v: number | string; f: number | string; t: number | string };

/**
 * Zero-filled buckets (oldest first) for each of several scopes of one kind, in one SQL
 * statement: a page of keys costs one query, not one per key. The local recorder is flushed
 * first, so a process reads its own counts at once; other processes' counts arrive within
 * their flush interval.
 */
export async function usageBucketsFor(
  em: EntityManager,
  runtime: Runtime,
  scopes: { kind: 'key'; keyIds: string[] } | { kind: 'app'; appIds: string[]; mode: KeyMode | null },
  query: UsageQuery,
): Promise<Map<string, UsageCounts[]>> {
  const range = usageRange(query, runtime.clock.now());
  await runtime.usage.flush();

  const ids = scopes.kind === 'key' ? scopes.keyIds : scopes.appIds;
  const column = scopes.kind === 'key' ? 'key_id' : 'app_id';
  const byMode = scopes.kind === 'app' && scopes.mode ? ' and mode = ?' : '';
  const sql = em as SqlEntityManager;
  const date = (d: Date) => sql.getPlatform().processDateProperty(d);
  const rows = ids.length
    ? await sql.execute<UsageRow[]>(
        `select ${column} as id, hour, sum(verifications) as v, sum(failures) as f, sum(tokens_issued) as t from key_usage
         where ${column} in (${ids.map(() => '?').join(', ')})${byMode} and hour >= ? and hour < ? group by ${column}, hour`,
        [...ids, ...(byMode ? [(scopes as { mode: KeyMode }).mode] : []), date(new Date(range.start)), date(range.to)],
      )
    : [];

  const result = new Map<string, Map<number, UsageCounts>>();
  for (const id of ids) result.set(id, emptyBuckets(range));
  for (const row of rows) {
    const hour = new Date(typeof row.hour === 'string' && /^\d+$/.test(row.hour) ? Number(row.hour) : row.hour).getTime();
    const bucket = result.get(row.id)?.get(Math.floor(hour / range.step) * range.step);
    if (!bucket) continue;
    bucket.verifications += Number(row.v);
    bucket.failures += Number(row.f);
    bucket.tokensIssued += Number(row.t);
  }
  return new Map([...result].map(([id, buckets]) => [id, [...buckets.values()]]));
}

/** The buckets of a query with nothing counted in them (usage the caller may not see). */
export function zeroUsage(query: UsageQuery, now: Date): UsageCounts[] {
  return [...emptyBuckets(usageRange(query, now)).values()];
}

function emptyBuckets(range: UsageRange): Map<number, UsageCounts> {
  const buckets = new Map<number, UsageCounts>();
  for (let t = range.start; t < range.to.getTime(); t += range.step) {
    buckets.set(t, { start: new Date(t), verifications: 0, failures: 0, tokensIssued: 0 });
  }
  return buckets;
}
