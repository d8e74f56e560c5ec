import { createHmac } from 'node:crypto';

/**
 * Keys are stored only as HMAC-SHA-256 under a server-side secret, so a stolen
 * database alone cannot be used to check guesses. Lookups are by this hash through a
 * unique index; nothing compares presented secrets with `===`.
 */
export class KeyHasher {
  constructor(private readonly secret: Buffer) {}

  hash(key: string): string {
    return createHmac('sha256', this.secret).update(key, 'utf8').digest('hex');
  }
}
