/**
 * RFC 4180 quoting, plus a leading apostrophe on cells a spreadsheet would run as a
 * formula (=, +, -, @): audit details can hold names typed by anyone with a key.
 * Small enough that a CSV library would add more than it saves.
 */
function cell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}
