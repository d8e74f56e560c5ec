import type { EntityManager } from '@mikro-orm/core';
import type { EntityManager as SqlEntityManager } from '@mikro-orm/knex';
import type { Logger } from 'pino';
import type { DatabaseConfig } from '../../config';
import { PgListener } from '../../database/pg-listener';
import type { KeyCache, KeyChange } from './key-cache';

/**
 * What a committed mutation changed for authentication: keys, or the signing keys; or a
 * balance whose credits are running out, whose leases every process should give back.
 */
export type AuthChange = KeyChange | { signingKeys: true } | { creditLeases: string };

/** The PostgreSQL channel every Keygate process listens on. Payloads carry ids only. */
export const KEY_CHANGES_CHANNEL = 'keygate_key_changes';

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

/**
 * Spreads "these keys changed" to every process's KeyCache.
 *
 * Locally the cache is invalidated right after the commit. Other processes hear it
 * through PostgreSQL `NOTIFY`, sent inside the mutation's transaction so it is
 * delivered exactly when (and only if) the change commits. SQLite is one process: only
 * the local invalidation applies.
 *
 * If the listening connection drops, notifications may be missed: the cache then trusts
 * entries only for its short degraded TTL until the listener is back, and clears itself
 * on reconnecting.
 */
export class KeyChangeBus {
  private listener: PgListener | undefined;
  private connected = false;

  /** Called when signing keys changed (here or in another process). */
  onSigningKeysChanged: () => void = () => undefined;
  /** Called when an app's settings changed (null: possibly any app's). */
  onAppChanged: (appId: string | null) => void = () => undefined;
  /** Called when some process runs short of a balance's credits: give back this process's lease of it. */
  onLeasesWanted: (balanceId: string) => void = () => undefined;

  constructor(
    private readonly cache: KeyCache,
    private readonly database: DatabaseConfig,
    private readonly logger: Logger,
  ) {}

  /** Part of the mutation's transaction: announces the change to other processes at commit. */
  async announce(tem: EntityManager, changes: AuthChange[]): Promise<void> {
    if (this.database.dialect !== 'postgresql' || changes.length === 0) return;
    for (const change of changes) {
      await (tem as SqlEntityManager).execute('select pg_notify(?, ?)', [KEY_CHANGES_CHANNEL, JSON.stringify(change)], 'all');
    }
  }

  /** After commit: this process forgets the stale entries at once. */
  committed(changes: AuthChange[]): void {
    for (const change of changes) this.apply(change);
  }

  private apply(change: AuthChange): void {
    if ('signingKeys' in change) return this.onSigningKeysChanged();
    if ('creditLeases' in change) return this.onLeasesWanted(change.creditLeases);
    this.cache.invalidate(change);
    if ('appId' in change) this.onAppChanged(change.appId);
    if ('all' in change) this.onAppChanged(null);
  }

  /** Starts listening (PostgreSQL only). Resolves once the first connection is up. */
  async start(): Promise<void> {
    if (this.database.dialect !== 'postgresql') return;
    this.cache.setDegraded(true);
    this.listener = new PgListener({
      url: this.database.url,
      channel: KEY_CHANGES_CHANNEL,
      applicationName: 'keygate-key-changes',
      onNotification: (payload) => this.received(payload),
      onListening: () => this.resumed(),
      onLost: (error) => this.lost(error),
      onStartFailed: (error) => this.logger.warn({ err: { message: error.message } }, 'key change listener could not connect; retrying'),
      reconnect: { minMs: RECONNECT_MIN_MS, maxMs: RECONNECT_MAX_MS },
    });
    await this.listener.start();
  }

  /** Whether notifications from other processes are being received. */
  get listening(): boolean {
    return this.database.dialect !== 'postgresql' || this.connected;
  }

  async close(): Promise<void> {
    await this.listener?.close();
  }

  private resumed(): void {
    // Whatever happened while not listening is unknown: start from an empty cache.
    this.cache.clear();
    this.onSigningKeysChanged();
    this.onAppChanged(null);
    this.cache.setDegraded(false);
    this.connected = true;
  }

  private received(payload: string | undefined): void {
    try {
      this.apply(parseChange(payload));
    } catch {
      // A payload we cannot read: drop everything rather than keep something stale.
      this.cache.invalidate({ all: true });
      this.onSigningKeysChanged();
      this.onAppChanged(null);
    }
  }

  private lost(error?: Error): void {
    this.connected = false;
    this.cache.setDegraded(true);
    this.logger.warn({ err: error ? { message: error.message } : undefined }, 'key change listener lost its connection; caching briefly until it is back');
  }
}

function parseChange(payload: string | undefined): AuthChange {
  const value = JSON.parse(payload ?? '') as Record<string, unknown>;
  if (value.signingKeys === true) return { signingKeys: true };
  if (typeof value.creditLeases === 'string') return { creditLeases: value.creditLeases };
  if (Array.isArray(value.keyIds) && value.keyIds.every((id) => typeof id === 'string')) return { keyIds: value.keyIds as string[] };
  if (typeof value.appId === 'string') return { appId: value.appId };
  return { all: true };
}
