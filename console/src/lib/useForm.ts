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
