import { DriverException } from '@mikro-orm/core';
import pino, { type Logger } from 'pino';
import { redact } from './shared/redact';

/** Redacts strings, also inside the fields of logged objects (paths, ids, error messages). */
function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redact(value);
  if (depth > 3 || value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, depth + 1)]));
}

/**
 * Structured JSON logs. Headers are never logged; every string, also inside logged
 * objects, passes through redact() so a key or token that slips into a message is masked.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: ['*.authorization', '*.headers', 'req.headers', 'authorization'], censor: '[REDACTED]' },
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((a) => redactValue(a, 0));
          return method.apply(this, cleaned as Parameters<typeof method>);
        },
      },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/**
 * What a log line says about an error: its name and driver code, and its message only
 * when it cannot be a database driver's (those quote the SQL and its parameters: ids,
 * names, key hashes).
 */
export function errorForLog(error: unknown): { name: string; code?: string; message?: string } {
  if (!(error instanceof Error)) return { name: typeof error };
  const code = (error as { code?: unknown }).code;
  const fields = { name: error.name, ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}) };
  return error instanceof DriverException ? fields : { ...fields, message: redact(error.message) };
}

export type { Logger };
