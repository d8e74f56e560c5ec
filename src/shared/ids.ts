import { randomBase62 } from './base62';

export type IdPrefix = 'app' | 'key' | 'root' | 'evt' | 'rot' | 'sig' | 'tok' | 'bal' | 'whk' | 'msg' | 'dlv' | 'doc';

let lastMillis = 0;
let sequence = 0;

/** Lowercase base36 sorts the same way under every collation (SQLite binary, PostgreSQL locales). */
function base36(value: number, width: number): string {
  return value.toString(36).padStart(width, '0');
}

/**
 * Public ids look like `app_0mhx…`: a prefix naming the type, 9 base36 characters of
 * time, 3 of an in-process sequence and 12 random base62 ones. They sort by creation
 * time (so lists and cursors can order by id alone) and are not guessable.
 */
export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  if (now <= lastMillis) {
    sequence += 1;
  } else {
    lastMillis = now;
    sequence = 0;
  }
  return `${prefix}_${base36(lastMillis, 9)}${base36(sequence % 46656, 3)}${randomBase62(12)}`;
}
