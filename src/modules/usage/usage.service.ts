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
/** Longest range per granularity: bounded so a response is at most ~750 buckets. */
const MAX_RANGE_MS: Record<UsageGranularity, number> = { HOUR: 31 * DAY_MS, DAY: 731 * DAY_MS };
const DEFAULT_RANGE_MS: Record<UsageGranularity, number> = { HOUR: DAY_MS, DAY: 30 * DAY_MS };

export interface UsageQuery {
  from?: Date | null;
  to?: Date | null;
  granularity?: UsageGranularity | null;
}

export type UsageScope = { keyId: string } | { appId: string; mode: KeyMode | null };

/**
 * Usage buckets (zero-filled, oldest first) for one key or a whole app (summed in SQL
 * over its keys). The local recorder is flushed first, so a process reads its own
 * counts at once; other processes' counts arrive within their flush interval.
 */
export async function usageBuckets(em: EntityManager, runtime: Runtime, scope: UsageScope, query: UsageQuery): Promise<UsageCounts[]> {
  const granularity = query.granularity ?? UsageGranularity.HOUR;
  const step = granularity === UsageGranularity.HOUR ? HOUR_MS : DAY_MS;
  const to = query.to ?? runtime.clock.now();
  const from = query.from ?? new Date(to.getTime() - DEFAULT_RANGE_MS[granularity]);
  if (from >= to) throw new BadInputError('from must be before to', 'from');
  if (to.getTime() - from.getTime() > MAX_RANGE_MS[granularity]) {
    throw new BadInputError(`The range may span at most ${MAX_RANGE_MS[granularity] / DAY_MS} days at ${granularity} granularity`, 'from');
  }
  await runtime.usage.flush();

  const sql = em as SqlEntityManager;
  const date = (d: Date) => sql.getPlatform().processDateProperty(d);
  const start = Math.floor(from.getTime() / step) * step;
  const where = 'keyId' in scope ? 'key_id = ?' : scope.mode ? 'app_id = ? and mode = ?' : 'app_id = ?';
  const params = 'keyId' in scope ? [scope.keyId] : scope.mode ? [scope.appId, scope.mode] : [scope.appId];
  const rows = await sql.execute<{ hour: Date | number | string; v: number | string; f: number | string; t: number | string }[]>(
    `select hour, sum(verifications) as v, sum(failures) as f, sum(tokens_issued) as t from key_usage
     where ${where} and hour >= ? and hour < ? group by hour`,
    [...params, date(new Date(start)), date(to)],
  );

  const buckets = new Map<number, UsageCounts>();
  for (let t = start; t < to.getTime(); t += step) buckets.set(t, { start: new Date(t), verifications: 0, failures: 0, tokensIssued: 0 });
  for (const row of rows) {
    const hour = new Date(typeof row.hour === 'string' && /^\d+$/.test(row.hour) ? Number(row.hour) : row.hour).getTime();
    const bucket = buckets.get(Math.floor(hour / step) * step);
    if (!bucket) continue;
    bucket.verifications += Number(row.v);
    bucket.failures += Number(row.f);
    bucket.tokensIssued += Number(row.t);
  }
  return [...buckets.values()];
}
