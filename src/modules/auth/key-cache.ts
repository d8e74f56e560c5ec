import { performance } from 'node:perf_hooks';
import type { KeyPrincipal } from './principal';

/**
 * What a key row says about authentication, copied out of the entity. Its state
 * (active, in grace, expired, revoked) is derived from these timestamps at each use,
 * so a cached record never turns an expired key or an ended grace back into "valid".
 */
export type KeyRecord =
  | { type: 'root'; id: string; revokedAt: Date | null }
  // What the principal carries, plus the end the principal never shows (grace or revocation).
  | (Omit<KeyPrincipal, 'type'> & { type: 'api'; revokedAt: Date | null; enabled?: boolean });

/** Which cached keys a committed change makes stale. */
export type KeyChange = { keyIds: string[] } | { appId: string } | { all: true };

export interface KeyCacheOptions {
  /** Most keys held; the least recently used is dropped first. */
  maxEntries: number;
  /** How long a verified key is trusted without asking the database again. */
  ttlMs: number;
  /** Unknown hashes remembered, so a flood of made-up keys costs no queries. */
  negativeMaxEntries: number;
  negativeTtlMs: number;
  /** TTL while change notifications may be missed (listener down): bounds staleness. */
  degradedTtlMs: number;
  /** Monotonic milliseconds; injectable for tests. */
  now?: () => number;
}

interface Entry {
  record: KeyRecord;
  storedAt: number;
  /** Read since it last reached the front of the eviction order (second-chance LRU). */
  used: boolean;
}

/**
 * The in-process cache of the verification hot path, keyed by the key's HMAC (never the
 * key). Bounded with a TTL, plus a smaller, shorter-lived negative cache. Eviction is
 * second-chance LRU: a hit only sets a flag (no Map re-insertion on the hot path), and
 * eviction moves a used entry to the back instead of dropping it.
 *
 * Invalidation races: a request may read a row just before a revocation commits and
 * store it just after the invalidation ran. Every load therefore takes a `ticket` (the
 * invalidation generation) before querying and stores only if no invalidation happened
 * since, so a stale row is never stored after the change that made it stale.
 */
export class KeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly negatives = new Map<string, number>();
  /** key id → hash, to invalidate by id (notifications carry ids, never hashes). */
  private readonly hashById = new Map<string, string>();
  private generation = 0;
  private degraded = false;
  private readonly now: () => number;

  constructor(private readonly options: KeyCacheOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /** A cached record, `null` for a hash known not to exist, or undefined (ask the database). */
  get(hash: string): KeyRecord | null | undefined {
    const t = this.now();
    const entry = this.entries.get(hash);
    if (entry) {
      entry.used = true;
      // An expired entry is not trusted, but stays (until evicted or invalidated) so that
      // `knows` still vouches for the key while it is reloaded.
      if (t - entry.storedAt < this.ttl()) return entry.record;
      return undefined;
    }
    const unknownAt = this.negatives.get(hash);
    if (unknownAt !== undefined) {
      if (t - unknownAt < Math.min(this.options.negativeTtlMs, this.ttl())) return null;
      this.negatives.delete(hash);
    }
    return undefined;
  }

  /**
   * Whether this hash was a real key when last loaded here (even if that entry's TTL has
   * passed): such a key may be looked up again whoever presents it, while hashes never
   * seen valid wait for the client's failure budget first.
   */
  knows(hash: string): boolean {
    return this.entries.has(hash);
  }

  /** Taken before a database load; pass it to store(). */
  ticket(): number {
    return this.generation;
  }

  store(hash: string, record: KeyRecord | null, ticket: number): void {
    if (ticket !== this.generation || this.options.maxEntries <= 0) return;
    const t = this.now();
    if (record === null) {
      const stale = this.entries.get(hash);
      if (stale) this.drop(hash, stale.record.id);
      if (this.options.negativeMaxEntries <= 0) return;
      this.negatives.delete(hash);
      this.negatives.set(hash, t);
      evictOldest(this.negatives, this.options.negativeMaxEntries);
      return;
    }
    this.entries.delete(hash);
    this.entries.set(hash, { record, storedAt: t, used: false });
    this.hashById.set(record.id, hash);
    while (this.entries.size > this.options.maxEntries) {
      const [oldestHash, oldest] = this.entries.entries().next().value as [string, Entry];
      // A used entry, or the one just stored, gets a second chance at the back.
      if (oldest.used || oldestHash === hash) {
        oldest.used = false;
        this.entries.delete(oldestHash);
        this.entries.set(oldestHash, oldest);
        continue;
      }
      this.drop(oldestHash, oldest.record.id);
    }
  }

  /** Forgets what a committed change made stale; cancels loads in flight. */
  invalidate(change: KeyChange): void {
    this.generation++;
    if ('all' in change) return this.clear();
    if ('appId' in change) {
      for (const [hash, entry] of this.entries) {
        if (entry.record.type === 'api' && entry.record.appId === change.appId) this.drop(hash, entry.record.id);
      }
      return;
    }
    for (const id of change.keyIds) {
      const hash = this.hashById.get(id);
      if (hash !== undefined) this.drop(hash, id);
    }
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.negatives.clear();
    this.hashById.clear();
  }

  /**
   * While notifications from other processes may be lost, trust entries only for the
   * short degraded TTL.
   */
  setDegraded(degraded: boolean): void {
    this.degraded = degraded;
  }

  get size(): { entries: number; negatives: number } {
    return { entries: this.entries.size, negatives: this.negatives.size };
  }

  private ttl(): number {
    return this.degraded ? Math.min(this.options.degradedTtlMs, this.options.ttlMs) : this.options.ttlMs;
  }

  private drop(hash: string, id: string): void {
    this.entries.delete(hash);
    if (this.hashById.get(id) === hash) this.hashById.delete(id);
  }
}

function evictOldest(map: Map<string, unknown>, max: number): void {
  while (map.size > max) map.delete(map.keys().next().value as string);
}
