import type { EntityManager as SqlEntityManager } from '@mikro-orm/knex';
import { PostgreSqlPlatform } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Orm } from '../../database/orm';
import type { Clock } from '../../shared/clock';
import type { KeyRef } from '../auth/key-records';
import { errorForLog } from '../../logger';

export type UsageKind = 'verification' | 'failure' | 'token';

interface Bucket {
  key: KeyRef;
  hour: number;
  verifications: number;
  failures: number;
  tokensIssued: number;
}

interface OperationBucket {
  key: KeyRef;
  hour: number;
  operationName: string;
  requests: number;
  errors: number;
  cost: number;
}

/** One gateway operation's outcome, as counted per key, hour and operation name. */
export interface OperationOutcome {
  /** "" for an anonymous operation. */
  operationName: string;
  /** The answer carried errors, or the operation was refused or failed upstream. */
  error: boolean;
  /** The estimated cost it ran at (0 when it did not run). */
  cost: number;
}

const HOUR_MS = 3600_000;

/**
 * Counts key usage in memory and writes it in batches: at most every `intervalMs`, or
 * sooner once `maxPending` events wait. One INSERT … ON CONFLICT DO UPDATE adds the
 * batch's counts to the stored ones (increments, never overwrites, so several
 * processes can share one database), plus one lastUsedAt update per key used.
 * A crash loses at most the events of the current interval; a graceful stop flushes.
 */
export class UsageRecorder {
  private buckets = new Map<string, Bucket>();
  private operations = new Map<string, OperationBucket>();
  private lastUsed = new Map<string, Date>();
  /**
   * The uses the latest write took: a key row read just before that write committed does
   * not show them yet, so reads still see them until the next write.
   */
  private written = new Map<string, Date>();
  /** Root keys have no usage counts, only lastUsedAt. */
  private rootLastUsed = new Map<string, Date>();
  private pending = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  /** A flush is queued and has not started writing yet: more events need no other. */
  private flushQueued = false;

  constructor(
    private readonly orm: Orm,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: { intervalMs: number; maxPending: number } = { intervalMs: 1000, maxPending: 1000 },
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.options.intervalMs);
    this.timer.unref();
  }

  record(key: KeyRef, kind: UsageKind): void {
    const now = this.clock.now();
    const hour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
    const id = `${key.id}|${hour}`;
    let bucket = this.buckets.get(id);
    if (!bucket) {
      bucket = { key, hour, verifications: 0, failures: 0, tokensIssued: 0 };
      this.buckets.set(id, bucket);
    }
    if (kind === 'verification') {
      bucket.verifications += 1;
      this.lastUsed.set(key.id, now);
    } else if (kind === 'failure') bucket.failures += 1;
    else bucket.tokensIssued += 1;
    this.pending += 1;
    if (this.pending >= this.options.maxPending && !this.flushQueued) void this.flush();
  }

  /** A gateway operation by (or through a token of) `key`: counted per hour and operation name. */
  recordOperation(key: KeyRef, outcome: OperationOutcome): void {
    const hour = Math.floor(this.clock.now().getTime() / HOUR_MS) * HOUR_MS;
    const id = `${key.id}|${hour}|${outcome.operationName}`;
    let bucket = this.operations.get(id);
    if (!bucket) {
      bucket = { key, hour, operationName: outcome.operationName, requests: 0, errors: 0, cost: 0 };
      this.operations.set(id, bucket);
    }
    bucket.requests += 1;
    if (outcome.error) bucket.errors += 1;
    bucket.cost += outcome.cost;
    this.pending += 1;
    if (this.pending >= this.options.maxPending && !this.flushQueued) void this.flush();
  }

  /** A successful authentication with a root key: only its lastUsedAt is kept. */
  recordRootUse(rootKeyId: string): void {
    this.rootLastUsed.set(rootKeyId, this.clock.now());
    this.pending += 1;
    if (this.pending >= this.options.maxPending && !this.flushQueued) void this.flush();
  }

  /** A use of the key counted here but not yet written (so reads need not wait for a flush). */
  pendingLastUse(keyId: string): Date | undefined {
    return this.lastUsed.get(keyId) ?? this.written.get(keyId);
  }

  /** Writes everything counted so far; concurrent calls queue behind each other. */
  flush(): Promise<void> {
    this.flushQueued = true;
    this.flushing = this.flushing.then(() => this.write()).catch((error: unknown) => {
      this.logger.error({ err: errorForLog(error) }, 'usage flush failed; counts kept for the next try');
    });
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  private async write(): Promise<void> {
    this.flushQueued = false;
    if (this.buckets.size === 0 && this.lastUsed.size === 0 && this.rootLastUsed.size === 0 && this.operations.size === 0) return;
    const buckets = [...this.buckets.values()];
    const operations = [...this.operations.values()];
    this.operations = new Map();
    const lastUsed = [...this.lastUsed.entries()];
    const rootLastUsed = [...this.rootLastUsed.entries()];
    this.written = this.lastUsed;
    this.buckets = new Map();
    this.lastUsed = new Map();
    this.rootLastUsed = new Map();
    this.pending = 0;
    const em = this.orm.em.fork() as SqlEntityManager;
    const date = (d: Date) => em.getPlatform().processDateProperty(d);
    try {
      await em.transactional(async (tem) => {
        // Chunks keep each statement under the drivers' parameter limits (PostgreSQL: 65 535).
        for (const chunk of chunks(buckets, ROWS_PER_STATEMENT)) {
          const values = chunk.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ');
          const params = chunk.flatMap((b) => [b.key.id, date(new Date(b.hour)), b.key.appId, b.key.mode, b.verifications, b.failures, b.tokensIssued]);
          await tem.execute(
            `insert into key_usage (key_id, hour, app_id, mode, verifications, failures, tokens_issued) values ${values}
             on conflict (key_id, hour) do update set
               verifications = key_usage.verifications + excluded.verifications,
               failures = key_usage.failures + excluded.failures,
               tokens_issued = key_usage.tokens_issued + excluded.tokens_issued`,
            params,
            'run',
          );
        }
        for (const chunk of chunks(operations, ROWS_PER_STATEMENT)) {
          const values = chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
          const params = chunk.flatMap((b) => [b.key.id, date(new Date(b.hour)), b.operationName, b.key.appId, b.key.mode, b.requests, b.errors, b.cost]);
          await tem.execute(
            `insert into operation_usage (key_id, hour, operation_name, app_id, mode, requests, errors, cost) values ${values}
             on conflict (key_id, hour, operation_name) do update set
               requests = operation_usage.requests + excluded.requests,
               errors = operation_usage.errors + excluded.errors,
               cost = operation_usage.cost + excluded.cost`,
            params,
            'run',
          );
        }
        // One UPDATE … FROM (VALUES …) per chunk, not one statement per key: a busy
        // server touches thousands of keys a second.
        // PostgreSQL types VALUES parameters as text: say they are timestamps.
        const postgres = tem.getPlatform() instanceof PostgreSqlPlatform;
        for (const [table, uses] of [['api_keys', lastUsed], ['root_keys', rootLastUsed]] as const) {
          for (const chunk of chunks(uses, ROWS_PER_STATEMENT)) {
            const values = chunk.map(() => (postgres ? '(?, cast(? as timestamptz))' : '(?, ?)')).join(', ');
            await tem.execute(
              `update ${table} set last_used_at = v.at from (select column1 as id, column2 as at from (values ${values}) as rows) as v
               where ${table}.id = v.id and (${table}.last_used_at is null or ${table}.last_used_at < v.at)`,
              chunk.flatMap(([keyId, at]) => [keyId, date(at)]),
              'run',
            );
          }
        }
      });
    } catch (error) {
      // Put the counts back so a passing database hiccup loses nothing.
      for (const b of buckets) {
        const again = this.buckets.get(`${b.key.id}|${b.hour}`);
        if (again) {
          again.verifications += b.verifications;
          again.failures += b.failures;
          again.tokensIssued += b.tokensIssued;
        } else this.buckets.set(`${b.key.id}|${b.hour}`, b);
      }
      for (const b of operations) {
        const id = `${b.key.id}|${b.hour}|${b.operationName}`;
        const again = this.operations.get(id);
        if (again) {
          again.requests += b.requests;
          again.errors += b.errors;
          again.cost += b.cost;
        } else this.operations.set(id, b);
      }
      for (const [keyId, at] of lastUsed) if (!this.lastUsed.has(keyId)) this.lastUsed.set(keyId, at);
      for (const [keyId, at] of rootLastUsed) if (!this.rootLastUsed.has(keyId)) this.rootLastUsed.set(keyId, at);
      throw error;
    }
  }
}

const ROWS_PER_STATEMENT = 1_000;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
