import { BadInputError } from '../errors';

/** Trimmed, non-empty, at most `max` characters, no control characters. */
export function requireName(value: string, field: string, max: number): string {
  const name = value.trim();
  if (name.length === 0) throw new BadInputError(`${field} must not be empty`, field);
  if (name.length > max) throw new BadInputError(`${field} must be at most ${max} characters`, field);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new BadInputError(`${field} must not contain control characters`, field);
  return name;
}

/** Rejects an explicit null for a field that may be omitted but not cleared. */
export function notNull<T>(value: T | null | undefined, field: string): T | undefined {
  if (value === null) throw new BadInputError(`${field} cannot be null`, field);
  return value;
}

export function requireIntInRange(value: number, field: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BadInputError(`${field} must be between ${min} and ${max}`, field);
  }
  return value;
}

const MAX_NUL_SCAN_DEPTH = 64;

/**
 * Where a NUL character hides in a request value: the path of the string holding it
 * ('' for the value itself, or the parent's path when an object key holds it), or null.
 * PostgreSQL cannot store U+0000 in text and no identifier or name contains one, so
 * requests carrying it are refused at the edge instead of failing in the driver.
 */
export function findNul(value: unknown, path = '', level = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object' || level > MAX_NUL_SCAN_DEPTH) return null;
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return path;
    const found = findNul(child, childPath, level + 1);
    if (found !== null) return found;
  }
  return null;
}
