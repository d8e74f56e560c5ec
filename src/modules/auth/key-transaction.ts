import type { EntityManager } from '@mikro-orm/core';
import type { Runtime } from '../../context';
import type { AuthChange } from './key-change-bus';

/** Records, inside a mutation, which keys' authentication it changes. */
export type KeyChanged = (change: AuthChange) => void;

/**
 * One transaction for a mutation that changes whether (or how) keys authenticate:
 * revocation, rotation, its completion, key updates, app deletion. The change is
 * announced to other processes inside the transaction (so only a commit announces it)
 * and this process's cache forgets the keys right after the commit.
 */
export async function keyTransaction<T>(em: EntityManager, runtime: Pick<Runtime, 'keyChanges'>, work: (tem: EntityManager, changed: KeyChanged) => Promise<T>): Promise<T> {
  const changes: AuthChange[] = [];
  const result = await em.transactional(async (tem) => {
    const value = await work(tem, (change) => changes.push(change));
    await runtime.keyChanges.announce(tem, changes);
    return value;
  });
  runtime.keyChanges.committed(changes);
  return result;
}
