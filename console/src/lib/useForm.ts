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

/** An optional whole number from an input; undefined when empty, NaN passes through for the API to refuse. */
export function intOf(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text);
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
