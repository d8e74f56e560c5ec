import { timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { EntityManager as SqlEntityManager } from '@mikro-orm/knex';
import { ConfigError } from '../config';
import type { Orm } from '../database/orm';
import { Setting } from '../database/setting.entity';
import { SealedDataError, open } from '../modules/sessions/key-encryption';
import { SigningKey } from '../modules/sessions/signing-key.entity';
import { deriveKey } from './master-key';

const CHECK = 'master_key_check';

export class MasterKeyMismatchError extends ConfigError {
  constructor() {
    super('KEYGATE_MASTER_KEY does not match the one this database was created with');
  }
}

/**
 * Refuses to go on with a master key other than the one the database was created with
 * (MasterKeyMismatchError): with the wrong key every stored key's HMAC misses and no
 * stored secret decrypts, which would look like a working server that rejects everyone.
 * The database keeps a check value derived from the master key (HKDF, one-way: it reveals
 * neither the master key nor any key derived for another purpose), written on the first
 * start. A database from before the check gets it on the first start whose master key
 * decrypts its signing keys (or that finds none).
 */
export async function verifyMasterKey(orm: Orm, masterKey: Buffer): Promise<void> {
  const em = orm.em.fork() as SqlEntityManager;
  const expected = deriveKey(masterKey, 'master-key-check').toString('base64url');
  let stored = await storedCheck(em);
  if (stored === null) {
    if (!(await opensSigningKeys(em, masterKey))) throw new MasterKeyMismatchError();
    // Processes starting together on a new database: the first value written counts, and
    // every other one is compared with it below.
    await em.createQueryBuilder(Setting).insert({ name: CHECK, value: expected }).onConflict('name').ignore().execute();
    stored = await storedCheck(em);
  }
  if (stored === null || !sameText(stored, expected)) throw new MasterKeyMismatchError();
}

async function storedCheck(em: EntityManager): Promise<string | null> {
  const row = await em.findOne(Setting, { name: CHECK }, { disableIdentityMap: true });
  return row?.value ?? null;
}

/** Whether the newest signing key (if any) decrypts under this master key. */
async function opensSigningKeys(em: EntityManager, masterKey: Buffer): Promise<boolean> {
  const [latest] = await em.find(SigningKey, {}, { orderBy: { createdAt: 'desc' }, limit: 1, populate: ['privateKeyEncrypted'], disableIdentityMap: true });
  if (!latest) return true;
  try {
    open(latest.privateKeyEncrypted, deriveKey(masterKey, 'signing-key-encryption'), latest.kid);
    return true;
  } catch (error) {
    if (error instanceof SealedDataError) return false;
    throw error;
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
