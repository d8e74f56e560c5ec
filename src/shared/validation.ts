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
