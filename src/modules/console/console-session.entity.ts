import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A signed-in console browser. The cookie's random value is never stored: the row is
 * found by its HMAC, so a copy of the database cannot be replayed as a cookie. The key
 * it was opened with is referenced by the key's own HMAC (what `api_keys`/`root_keys`
 * already hold), so every use can check that key again through the authenticator.
 */
@Entity({ tableName: 'console_sessions' })
export class ConsoleSession {
  /** HMAC of the cookie value. */
  @PrimaryKey({ type: 'string', length: 64 })
  id!: string;

  @Property({ type: 'string', length: 64 })
  keyHash!: string;

  @Property({ type: 'string', length: 8 })
  keyType!: 'root' | 'api';

  @Index()
  @Property({ type: 'string', length: 64 })
  keyId!: string;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  /** Refreshed at most once a minute, so the idle timeout holds without a write per request. */
  @Property({ type: 'datetime' })
  lastSeenAt!: Date;

  /** The absolute end (12 h after sign-in), however active the session is. */
  @Index()
  @Property({ type: 'datetime' })
  expiresAt!: Date;
}
