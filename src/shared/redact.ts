/**
 * Last line of defence for logs and masked errors: replaces anything shaped like a
 * Keygate key, a JWT, a hex digest or a PEM block. Code should never log such values
 * in the first place; this catches what slips through (driver errors quoting SQL
 * parameters, for instance).
 */
const PATTERNS: RegExp[] = [
  /\b(?:[a-z][a-z0-9]{0,15}_)?(?:(?:pk|sk)_(?:live|test)|rk)_[0-9A-Za-z]{8,}/g,
  /\beyJ[0-9A-Za-z_-]{5,}\.[0-9A-Za-z_-]{5,}\.[0-9A-Za-z_-]*/g,
  /\b[0-9a-f]{40,}\b/gi,
  /-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g,
];

export function redact(text: string): string {
  let out = text;
  for (const pattern of PATTERNS) out = out.replace(pattern, '[REDACTED]');
  return out;
}
