import type { EntityManager } from '@mikro-orm/core';
import type { EntityManager as SqlEntityManager } from '@mikro-orm/knex';

/**
 * Serialises the transactions that lock the same name until each ends, so a count-then-insert
 * under a cap cannot be raced past it. Take it first in the transaction, before any row lock,
 * so it cannot join a lock cycle. PostgreSQL: a transaction-scoped advisory lock (no row has
 * to exist, and writes that do not lock the name never wait on it). SQLite runs one write
 * transaction at a time already (across processes, a writer whose reads went stale fails
 * rather than commits).
 */
export async function lockName(em: EntityManager, name: string): Promise<void> {
  if (!em.getPlatform().constructor.name.startsWith('PostgreSql')) return;
  await (em as SqlEntityManager).execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [name], 'run');
}
