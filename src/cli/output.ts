/** What the API commands print, and the errors that decide the exit code. */

/** Wraps a command's work so its outcome becomes the exit code (see index.ts). */
export type Action = <A extends unknown[]>(work: (...args: A) => Promise<void>) => (...args: A) => Promise<void>;

/** Wrong usage (exit 2): a missing key, a bad flag value. */
export class UsageError extends Error {}

/** The server refused (exit 1): its error code goes to stderr with the message. */
export class ServerError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

export type Cell = string | number | boolean | null | undefined;

function text(value: Cell): string {
  if (value === null || value === undefined || value === '') return '-';
  // Timestamps to the second: the table is for people.
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value)) return `${value.slice(0, 19).replace('T', ' ')}Z`;
  return String(value);
}

/** A plain aligned table: a header row, then one row per item. */
export function table(columns: string[], rows: Cell[][]): string {
  const cells = [columns, ...rows.map((r) => r.map(text))];
  const widths = columns.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const lines = cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  '));
  return `${lines.join('\n')}\n`;
}

/** One object as "Label  value" lines. */
export function details(pairs: [string, Cell][]): string {
  const width = Math.max(...pairs.map(([label]) => label.length));
  return `${pairs.map(([label, value]) => `${label.padEnd(width)}  ${text(value)}`).join('\n')}\n`;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A secret is printed once, apart from the table, so it is easy to copy and hard to miss. */
export function secretNotice(secret: string): string {
  return `\nSecret (shown only this once; store it now):\n\n  ${secret}\n`;
}
