import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/core';

/** What a loader needs of the GraphQL context: the request's EntityManager, read at batch time. */
export interface LoaderHost {
  em: EntityManager;
}

const loadersByRequest = new WeakMap<LoaderHost, Map<string, DataLoader<unknown, unknown>>>();

/**
 * One DataLoader per request and name, so the per-node lookups that graphql-js starts in
 * one tick (a page of rotations asking for their keys, a page of keys asking for their
 * usage) become one query. Loaders die with the request: nothing is cached across requests.
 */
export function requestLoader<K, V>(
  host: LoaderHost,
  name: string,
  batch: (em: EntityManager, keys: readonly K[]) => Promise<V[]>,
): DataLoader<K, V> {
  let loaders = loadersByRequest.get(host);
  if (!loaders) loadersByRequest.set(host, (loaders = new Map()));
  let loader = loaders.get(name) as DataLoader<K, V> | undefined;
  if (!loader) {
    loader = new DataLoader<K, V>((keys) => batch(host.em, keys), { maxBatchSize: 500 });
    loaders.set(name, loader as DataLoader<unknown, unknown>);
  }
  return loader;
}

/** Rows of `entity` by a unique column, one `in (…)` query per batch; a missing row is null. */
export function rowsBy<T extends object>(entity: new () => T, column: keyof T & string) {
  return async (em: EntityManager, values: readonly string[]): Promise<(T | null)[]> => {
    const rows: T[] = await em.find(entity as new () => T, { [column]: { $in: [...values] } } as never);
    const byValue = new Map(rows.map((row) => [String(row[column]), row]));
    return values.map((value) => byValue.get(value) ?? null);
  };
}

/** Rows of `entity` by id. */
export function rowsById<T extends { id: string }>(entity: new () => T) {
  return rowsBy(entity, 'id');
}
