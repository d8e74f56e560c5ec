import { type EntityManager, LockMode } from '@mikro-orm/core';
import type { Actor, Runtime } from '../../context';
import { BadInputError, ConflictError, NotFoundError } from '../../errors';
import { recordAudit } from '../audit/audit.service';
import { keyTransaction } from '../auth/key-transaction';
import { createRootKey } from '../auth/root-key.service';
import { RootKey } from '../auth/root-key.entity';
import { MAX_NAME_LENGTH } from '../keys/api-key.entity';
import type { CreateRootKeyPayload } from './root-key.types';

/**
 * Root keys, managed by root (the permission map allows nobody else). Audit events are
 * deployment-wide (no app, no mode), like signing-key rotation.
 */
export class RootKeyService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly runtime: Runtime,
  ) {}

  /** Every root key, newest first, revoked ones included (they are the history). */
  list(): Promise<RootKey[]> {
    return this.em.find(RootKey, {}, { orderBy: { createdAt: 'desc', id: 'desc' } });
  }

  async create(name: string | null | undefined): Promise<CreateRootKeyPayload> {
    const label = name === null || name === undefined ? 'root' : name.trim();
    if (label === '' || label.length > MAX_NAME_LENGTH) throw new BadInputError(`name must be 1 to ${MAX_NAME_LENGTH} characters`, 'name');
    return this.em.transactional(async (tem) => {
      const { id, value } = await createRootKey(tem, this.runtime.hasher, this.runtime.config.keyPrefix, label);
      const rootKey = await tem.findOneOrFail(RootKey, { id });
      await recordAudit(tem, this.actor, { action: 'root_key.create', appId: null, mode: null, targetId: id, details: { name: label, start: rootKey.start } }, rootKey.createdAt);
      return { rootKey, secret: value };
    });
  }

  /**
   * Revokes a root key, never the last working one (the deployment would be locked out).
   * Race-free: the working root keys are locked (PostgreSQL) before counting, so two
   * revocations of the last two keys cannot both see "one other left"; SQLite runs one
   * write transaction at a time.
   */
  revoke(id: string): Promise<RootKey> {
    return keyTransaction(this.em, this.runtime, async (tem, changed) => {
      const postgres = tem.getPlatform().constructor.name.startsWith('PostgreSql');
      const working = await tem.find(RootKey, { revokedAt: null }, { refresh: true, ...(postgres ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {}) });
      const key = working.find((k) => k.id === id);
      if (!key) {
        if (await tem.count(RootKey, { id })) throw new ConflictError('The root key is already revoked');
        throw new NotFoundError('Root key');
      }
      if (working.length === 1) throw new ConflictError('This is the last working root key: create another one before revoking it');
      const now = this.runtime.clock.now();
      key.revokedAt = now;
      await tem.flush();
      // Every process forgets the key's cached verification (PostgreSQL NOTIFY at commit).
      changed({ keyIds: [key.id] });
      await recordAudit(tem, this.actor, { action: 'root_key.revoke', appId: null, mode: null, targetId: key.id, details: { name: key.name, start: key.start } }, now);
      return key;
    });
  }
}
