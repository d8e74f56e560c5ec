import { BadInputError } from '../../errors';
import { requireName } from '../../shared/validation';

export const MAX_OWNER_ID_LENGTH = 255;
export const MAX_META_BYTES = 4096;

/** Who the key belongs to in the product's own system: trimmed, 1 … 255 printable characters. */
export function validOwnerId(value: string): string {
  return requireName(value, 'ownerId', MAX_OWNER_ID_LENGTH);
}

/** Free-form metadata: a JSON object of at most 4 KiB serialized. */
export function validMeta(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new BadInputError('meta must be a JSON object', 'meta');
  if (Buffer.byteLength(JSON.stringify(value), 'utf8') > MAX_META_BYTES) throw new BadInputError(`meta must be at most ${MAX_META_BYTES} bytes as JSON`, 'meta');
  return value as Record<string, unknown>;
}
