import { BASE62, randomBase62, toBase62 } from '../../shared/base62';
import { crc32 } from '../../shared/crc32';

/**
 * The one place that knows what a key looks like:
 *   [<brand>_]<pk|sk>_<live|test>_<body>   app keys
 *   [<brand>_]rk_<body>                    root keys
 * body = 32 CSPRNG base62 characters (≈190.5 bits) + a 6-character base62 CRC32 of
 * everything before the checksum. The checksum lets us reject typos and garbage
 * before touching the database, and lets secret scanners validate a find offline.
 */

export type KeyKindCode = 'pk' | 'sk';
export type KeyModeCode = 'live' | 'test';

export type ParsedKey =
  | { type: 'root'; brand: string | undefined; start: string }
  | { type: 'app'; kind: KeyKindCode; mode: KeyModeCode; brand: string | undefined; start: string };

export const RANDOM_LENGTH = 32;
export const CHECKSUM_LENGTH = 6;
/** Longest string we even try to parse; anything longer is malformed. */
export const MAX_KEY_LENGTH = 128;
const START_BODY_CHARS = 4;

const KEY_PATTERN = /^(?:([a-z][a-z0-9]{0,15})_)?(?:(pk|sk)_(live|test)|(rk))_([0-9A-Za-z]+)$/;
const BASE62_SET = new Set(BASE62);

function checksum(text: string): string {
  return toBase62(crc32(text), CHECKSUM_LENGTH);
}

function brandPrefix(brand: string | undefined): string {
  return brand ? `${brand}_` : '';
}

/** A fresh key string and its display `start`. The caller hashes it and forgets it. */
export function generateKey(
  spec: { type: 'root' } | { type: 'app'; kind: KeyKindCode; mode: KeyModeCode },
  brand: string | undefined,
): { value: string; start: string } {
  const prefix = brandPrefix(brand) + (spec.type === 'root' ? 'rk_' : `${spec.kind}_${spec.mode}_`);
  const random = randomBase62(RANDOM_LENGTH);
  const value = `${prefix}${random}${checksum(prefix + random)}`;
  return { value, start: prefix + random.slice(0, START_BODY_CHARS) };
}

/**
 * Parses and checks a presented key. Returns null when it is not a well-formed key of
 * this deployment (wrong shape, wrong brand, bad checksum): such strings are rejected
 * with KEY_MALFORMED and never reach the database.
 */
export function parseKey(value: string, brand: string | undefined): ParsedKey | null {
  if (value.length > MAX_KEY_LENGTH) return null;
  const match = KEY_PATTERN.exec(value);
  if (!match) return null;
  const [, keyBrand, kind, mode, root, body] = match;
  if (keyBrand !== undefined && keyBrand !== brand) return null;
  if (body.length < RANDOM_LENGTH + CHECKSUM_LENGTH) return null;
  for (const ch of body) if (!BASE62_SET.has(ch)) return null;
  const withoutChecksum = value.slice(0, value.length - CHECKSUM_LENGTH);
  if (checksum(withoutChecksum) !== value.slice(-CHECKSUM_LENGTH)) return null;
  const prefixLength = value.length - body.length;
  const start = value.slice(0, prefixLength + START_BODY_CHARS);
  if (root) return { type: 'root', brand: keyBrand, start };
  return { type: 'app', kind: kind as KeyKindCode, mode: mode as KeyModeCode, brand: keyBrand, start };
}
