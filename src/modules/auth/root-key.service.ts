import type { EntityManager } from '@mikro-orm/core';
import { generateKey } from './key-format';
import type { KeyHasher } from './key-hash';
import { RootKey } from './root-key.entity';

/** Creates a root key and returns its value, which exists nowhere else afterwards. */
export async function createRootKey(em: EntityManager, hasher: KeyHasher, brand: string | undefined, name = 'root'): Promise<{ id: string; value: string }> {
  const { value, start } = generateKey({ type: 'root' }, brand);
  const root = Object.assign(new RootKey(), { hash: hasher.hash(value), start, name });
  await em.persistAndFlush(root);
  return { id: root.id, value };
}

export async function hasRootKey(em: EntityManager): Promise<boolean> {
  return (await em.count(RootKey, { revokedAt: null })) > 0;
}
