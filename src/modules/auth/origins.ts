import { BadInputError } from '../../errors';

export const MAX_ORIGINS = 50;
const MAX_ORIGIN_LENGTH = 255;

/**
 * An allowed-origin entry is an exact origin (`https://app.example.com`,
 * `http://localhost:3000`) or a subdomain wildcard (`https://*.example.com`).
 * No paths, no bare `*`: a publishable key's list must name who may use it.
 */
const ORIGIN_PATTERN = /^(https?):\/\/(\*\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::(\d{1,5}))?$/;

export function normalizeOrigins(origins: readonly string[], field = 'allowedOrigins'): string[] {
  if (origins.length > MAX_ORIGINS) throw new BadInputError(`${field} may hold at most ${MAX_ORIGINS} entries`, field);
  const out = new Set<string>();
  for (const raw of origins) {
    const origin = raw.trim().toLowerCase();
    const match = origin.length <= MAX_ORIGIN_LENGTH ? ORIGIN_PATTERN.exec(origin) : null;
    const port = match?.[4] ? Number(match[4]) : undefined;
    if (!match || (port !== undefined && (port < 1 || port > 65535)) || (match[2] && !match[3].includes('.'))) {
      throw new BadInputError(
        `${field}: "${raw.slice(0, 80)}" is not an origin (scheme://host[:port], or https://*.example.com)`,
        field,
      );
    }
    out.add(origin);
  }
  return [...out];
}

/** Does a request's Origin header match one entry of the list? */
export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  const candidate = origin.toLowerCase();
  for (const entry of allowed) {
    if (entry === candidate) return true;
    const star = entry.indexOf('://*.');
    if (star > 0) {
      const scheme = entry.slice(0, star + 3);
      const suffix = entry.slice(star + 4); // ".example.com" (keeps the dot)
      if (candidate.startsWith(scheme) && candidate.endsWith(suffix) && candidate.length > scheme.length + suffix.length) {
        const host = candidate.slice(scheme.length, candidate.length - suffix.length);
        if (/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(host)) return true;
      }
    }
  }
  return false;
}
