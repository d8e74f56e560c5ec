import type { Context } from '../../context';
import { requestLoader } from '../../shared/request-loaders';
import type { KeyMode } from '../keys/key-enums';
import { type UsageCounts, type UsageQuery, usageBucketsFor } from './usage.service';

const queryKey = (query: UsageQuery) => `${query.granularity ?? ''}|${query.from?.toISOString() ?? ''}|${query.to?.toISOString() ?? ''}`;

/** A key's usage buckets; every key of a page asking for the same range shares one SQL query. */
export function keyUsage(ctx: Context, keyId: string, query: UsageQuery): Promise<UsageCounts[]> {
  const loader = requestLoader(ctx, `usage.key|${queryKey(query)}`, async (em, keyIds: readonly string[]) => {
    const buckets = await usageBucketsFor(em, ctx.runtime, { kind: 'key', keyIds: [...keyIds] }, query);
    return keyIds.map((id) => buckets.get(id) ?? []);
  });
  return loader.load(keyId);
}

/** An app's usage summed over its keys of one mode (or all modes), batched like keyUsage. */
export function appUsage(ctx: Context, appId: string, mode: KeyMode | null, query: UsageQuery): Promise<UsageCounts[]> {
  const loader = requestLoader(ctx, `usage.app|${mode ?? ''}|${queryKey(query)}`, async (em, appIds: readonly string[]) => {
    const buckets = await usageBucketsFor(em, ctx.runtime, { kind: 'app', appIds: [...appIds], mode }, query);
    return appIds.map((id) => buckets.get(id) ?? []);
  });
  return loader.load(appId);
}
