import { createHash } from 'node:crypto';
import { Entity, type EntityManager, LockMode, PrimaryKey, Property } from '@mikro-orm/core';
import type { EntityManager as SqlEntityManager } from '@mikro-orm/knex';
import type { KeyMode } from '../keys/key-enums';
import type { AuditEvent } from './audit-event.entity';

/**
 * The tamper-evident part of the audit log. Each app has one chain per mode plus one
 * for app-level events (mode null); each event stores its position (seq), the previous
 * event's hash and its own hash over its canonical content and that previous hash.
 * Editing, deleting or reordering a stored event breaks the chain at that event.
 * The head row serialises appends: it is locked (PostgreSQL) for the length of the
 * appending transaction; SQLite transactions are serialised anyway.
 */
@Entity({ tableName: 'audit_chain_heads' })
export class AuditChainHead {
  @PrimaryKey({ type: 'string', length: 100 })
  chainKey!: string;

  @Property({ type: 'integer' })
  lastSeq: number = 0;

  @Property({ type: 'string', length: 64, nullable: true })
  lastHash: string | null = null;
}

export function chainKeyOf(appId: string | null, mode: KeyMode | null): string {
  return `${appId ?? 'global'}:${mode ?? 'APP'}`;
}

/** JSON with object keys sorted at every level, so PostgreSQL jsonb's reordering does not matter. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

type HashedFields = Pick<AuditEvent, 'id' | 'seq' | 'at' | 'appId' | 'mode' | 'actorType' | 'actorId' | 'action' | 'targetId' | 'ip' | 'requestId' | 'details' | 'prevHash'>;

export function eventHash(e: HashedFields): string {
  const details = e.details === null ? null : JSON.parse(JSON.stringify(e.details));
  const content = canonicalJson([e.id, e.seq, e.at.toISOString(), e.appId, e.mode, e.actorType, e.actorId, e.action, e.targetId, e.ip, e.requestId, details, e.prevHash]);
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

/** Locks (creating if needed) the head of a chain inside the caller's transaction. */
export async function lockChainHead(em: EntityManager, chainKey: string): Promise<AuditChainHead> {
  const sql = em as SqlEntityManager;
  await sql.execute('insert into audit_chain_heads (chain_key, last_seq, last_hash) values (?, 0, null) on conflict (chain_key) do nothing', [chainKey], 'run');
  const postgres = em.getPlatform().constructor.name.startsWith('PostgreSql');
  return em.findOneOrFail(AuditChainHead, { chainKey }, { refresh: true, ...(postgres ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {}) });
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  firstBrokenEventId: string | null;
}

/** Walks a chain in order, recomputing every hash and link. */
export function verifyChain(events: AuditEvent[], head: AuditChainHead | null): ChainVerification {
  let prev: string | null = null;
  let checked = 0;
  for (const [i, e] of events.entries()) {
    checked += 1;
    if (e.seq !== i + 1 || e.prevHash !== prev || e.hash !== eventHash(e)) return { ok: false, checked, firstBrokenEventId: e.id };
    prev = e.hash;
  }
  // Events cut off the end leave the head pointing past the last stored event.
  if ((head?.lastSeq ?? 0) !== events.length || (head?.lastHash ?? null) !== prev) {
    return { ok: false, checked, firstBrokenEventId: events.at(-1)?.id ?? null };
  }
  return { ok: true, checked, firstBrokenEventId: null };
}
