import { BadInputError } from '../errors';
import { redact } from './redact';

/** Trimmed, non-empty, at most `max` characters, no control characters. */
export function requireName(value: string, field: string, max: number): string {
  const name = value.trim();
  if (name.length === 0) throw new BadInputError(`${field} must not be empty`, field);
  if (name.length > max) throw new BadInputError(`${field} must be at most ${max} characters`, field);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new BadInputError(`${field} must not contain control characters`, field);
  return name;
}

/**
 * Refuses text with anything shaped like a key, a token, a digest or a private key in it:
 * a secret pasted into a name or a reason would be stored, shown to every reader and
 * written to the audit trail, which promises never to hold one. The shapes are redact.ts's.
 */
export function refuseKeyMaterial(value: string, field: string): string {
  if (redact(value) !== value) {
    throw new BadInputError(`${field} looks like it contains a key or token; never paste a secret into it`, field);
  }
  return value;
}

/** A human label (a key's or an app's name): requireName, and no key material in it. */
export function requireLabel(value: string, field: string, max: number): string {
  return refuseKeyMaterial(requireName(value, field, max), field);
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

const MAX_SCAN_DEPTH = 64;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const NUL_MESSAGE = 'Strings must not contain NUL characters';
export const UNICODE_MESSAGE = 'Strings must be well-formed Unicode (no lone surrogates)';

/**
 * Why a string cannot be stored, or null. PostgreSQL text holds neither U+0000 nor a
 * lone UTF-16 surrogate (it has no UTF-8 form), and no identifier or name contains one,
 * so such requests are refused at the edge instead of failing in the driver.
 */
export function unstorable(text: string): string | null {
  if (text.includes('\u0000')) return NUL_MESSAGE;
  return LONE_SURROGATE.test(text) ? UNICODE_MESSAGE : null;
}

/**
 * The first string (or object key) in a request value that cannot be stored: its path
 * (null for the value itself; '' is a key's name) and why, or null.
 */
export function findUnstorable(value: unknown, path: string | null = null, level = 0): { at: string | null; message: string } | null {
  if (typeof value === 'string') {
    const message = unstorable(value);
    return message ? { at: path, message } : null;
  }
  if (value === null || typeof value !== 'object' || level > MAX_SCAN_DEPTH) return null;
  for (const [key, child] of Object.entries(value)) {
    const childPath = path === null ? key : `${path}.${key}`;
    const keyMessage = unstorable(key);
    if (keyMessage) return { at: childPath, message: keyMessage };
    const found = findUnstorable(child, childPath, level + 1);
    if (found !== null) return found;
  }
  return null;
}
