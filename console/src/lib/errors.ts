import type { CombinedError } from 'urql';

/**
 * The console's words for the API's input names. The API's messages name its fields
 * ("defaultTokenLifetime must not exceed maxTokenLifetime"); a person reads the labels
 * of the form in front of them instead.
 */
const FIELD_LABELS: Record<string, string> = {
  'credits.refill.dayOfMonth': 'Refill day of month',
  'credits.refill.amount': 'Refill amount',
  'credits.remaining': 'Credits',
  'rateLimit.windowSeconds': 'Rate limit window',
  'rateLimit.limit': 'Rate limit',
  defaultTokenLifetime: 'Default token lifetime',
  maxTokenLifetime: 'Maximum token lifetime',
  gracePeriodSeconds: 'Grace period',
  allowedOrigins: 'Allowed origins',
  allowedIps: 'Allowed IPs',
  expiresAt: 'Expires',
  ownerId: 'Owner',
  credits: 'Credits',
  meta: 'Metadata',
  url: 'URL',
};
const NAMES = new RegExp(`\\b(${Object.keys(FIELD_LABELS).map((n) => n.replace(/\./g, '\\.')).join('|')})\\b`, 'g');

export function inPlainWords(message: string): string {
  const worded = message.replace(NAMES, (name) => FIELD_LABELS[name]);
  return worded[0].toUpperCase() + worded.slice(1);
}

/**
 * GraphQL's own refusal of a variable ('Variable "$input" got invalid value "abc" at
 * "input.rateLimit.limit"; …'). The forms check numbers before sending, so this is a
 * last line: the field it names, and words instead of the type system's.
 */
const VARIABLE_ERROR = /^Variable "\$\w+" got invalid value .* at "\w+\.([\w.]+)"/;

/** The message of an API error for a person, and the input field it concerns (extensions.field). */
export function describeError(error: CombinedError): { message: string; field: string | null } {
  if (error.networkError && error.graphQLErrors.length === 0) {
    return { message: 'The server cannot be reached. Check your connection and try again.', field: null };
  }
  const first = error.graphQLErrors[0];
  if (!first) return { message: error.message, field: null };
  const variable = VARIABLE_ERROR.exec(first.message);
  if (variable) return { message: `${FIELD_LABELS[variable[1]] ?? 'This value'} is not valid here.`, field: variable[1] };
  if (first.message.startsWith('Variable "$')) return { message: 'A value in the form is not valid.', field: null };
  const field = typeof first.extensions?.field === 'string' ? first.extensions.field : null;
  return { message: inPlainWords(first.message), field };
}

/** The session ended (signed out elsewhere, idle, its key revoked): the console offers to sign in again. */
export function isSessionEnded(error: CombinedError | undefined): boolean {
  return Boolean(error?.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED') || error?.response?.status === 401);
}
