import { useState } from 'react';
import type { CombinedError } from 'urql';
import { describeError } from './errors';

/** An API error split into the message beside its field (extensions.field) or a form-level one. */
export function useApiErrors() {
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  return {
    fieldError: (name: string) => fieldErrors[name] ?? null,
    formError,
    clear() {
      setFieldErrors({});
      setFormError(null);
    },
    /** Refusals found before sending (a number that is not one): shown like the API's. */
    showFields(errors: Record<string, string>) {
      setFieldErrors(errors);
    },
    show(error: CombinedError) {
      const { message, field } = describeError(error);
      // `input.name` and `name` both mean the Name field.
      const name = field?.replace(/^input\./, '') ?? null;
      if (name) setFieldErrors({ [name]: message });
      else setFormError(message);
    },
  };
}

/** "a, b\nc" → ["a", "b", "c"] */
export function listOf(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** An optional whole number from an input; undefined when empty, NaN when it is not one (numberError says so first). */
export function intOf(text: string): number | undefined {
  return text.trim() === '' ? undefined : /^\s*-?\d+\s*$/.test(text) ? Number(text) : Number.NaN;
}

/**
 * Checked before the API sees the value: GraphQL refuses a non-number in an Int field with
 * a message about variables, not about the field. Ranges are the API's to say (its message
 * names the bounds). null when the text is fine (or empty).
 */
export function numberError(text: string, label: string): string | null {
  const value = intOf(text);
  if (value === undefined) return null;
  if (Number.isNaN(value)) return `${label} must be a whole number, e.g. 100`;
  if (Math.abs(value) > 2_147_483_647) return `${label} is too large`;
  return null;
}

/** The field errors among these checks (name → message); empty when every value is fine. */
export function fieldErrors(checks: Record<string, string | null>): Record<string, string> {
  return Object.fromEntries(Object.entries(checks).filter((entry): entry is [string, string] => entry[1] !== null));
}

/** The metadata textarea holds a JSON object or nothing; anything else is refused before the API sees it. */
export function parseMeta(text: string): { value: Record<string, unknown> | null } | { error: string } {
  if (text.trim() === '') return { value: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { error: 'Metadata must be valid JSON, e.g. {"plan": "pro"}' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { error: 'Metadata must be a JSON object, e.g. {"plan": "pro"}' };
  return { value: parsed as Record<string, unknown> };
}
