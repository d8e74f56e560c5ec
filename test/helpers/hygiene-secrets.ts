import { createPrivateKey } from 'node:crypto';
import { expect } from 'vitest';
import { KeyHasher } from '../../src/modules/auth/key-hash';
import { deriveKey } from '../../src/shared/master-key';
import { open as openSealed } from '../../src/modules/sessions/key-encryption';
import { tableNames } from './process-harness';
import type { Secret, Seen, Target } from './hygiene-session';

/** Every secret of a hygiene run, whole and in fragments, and where it may be stored; and the log parsed. */

/** The whole value, plus windows of its part that is never displayed. */
export function windows(text: string, size: number, step: number): string[] {
  const out: string[] = [];
  for (let i = 0; i + size <= text.length; i += step) out.push(text.slice(i, i + size));
  return out;
}

export function keyFragments(value: string): string[] {
  const hidden = value.slice(value.lastIndexOf('_') + 1 + 4);
  return [value, ...windows(hidden, 12, 1)];
}

export function hexFragments(hex: string): string[] {
  const lower = hex.toLowerCase();
  return [lower, lower.slice(0, 16), lower.slice(24, 40), lower.slice(-16)];
}

export async function cellsOf(t: Target): Promise<{ table: string; column: string; row: Record<string, unknown>; text: string }[]> {
  const cells: { table: string; column: string; row: Record<string, unknown>; text: string }[] = [];
  for (const table of await tableNames(t.sql, t.dialect)) {
    for (const row of await t.sql.query(`select * from "${table}"`)) {
      for (const [column, value] of Object.entries(row)) {
        if (value === null || value === undefined) continue;
        const text =
          value instanceof Date
            ? value.toISOString()
            : Buffer.isBuffer(value)
              ? `${value.toString('hex')} ${value.toString('base64')} ${value.toString('utf8')}`
              : typeof value === 'object'
                ? JSON.stringify(value)
                : String(value);
        cells.push({ table, column, row, text });
      }
    }
  }
  return cells;
}

/** The secrets of a finished scenario: what it was handed, and what the database holds. */
export async function collectSecrets(t: Target, seen: Seen): Promise<Secret[]> {
  const secrets: Secret[] = [];
  const master = Buffer.from(t.masterKey, 'base64');
  const hmacKey = deriveKey(master, 'api-key-hmac');
  const sealingKey = deriveKey(master, 'signing-key-encryption');
  const hasher = new KeyHasher(hmacKey);
  for (const [label, bytes] of [['master key', master], ['HMAC key', hmacKey], ['signing-key encryption key', sealingKey]] as const) {
    secrets.push({ label, fragments: [bytes.toString('base64'), bytes.toString('base64url'), ...hexFragments(bytes.toString('hex'))], inResponses: false });
  }

  const keyRows = await t.sql.query('select id, hash, publishable_key from api_keys');
  const stored = new Map(keyRows.map((r) => [String(r.id), r]));
  expect(seen.keys.length).toBeGreaterThanOrEqual(12);
  for (const key of seen.keys) {
    const row = stored.get(key.id);
    expect(row?.hash, `stored hash of ${key.id}`).toBe(hasher.hash(key.value));
    const ownRow = (r: Record<string, unknown>) => String(r.id) === key.id;
    if (key.kind === 'PUBLISHABLE') {
      expect(row?.publishable_key).toBe(key.value);
      secrets.push({ label: `publishable key ${key.id}`, fragments: keyFragments(key.value), storedIn: (table, column, r) => table === 'api_keys' && column === 'publishable_key' && ownRow(r), inResponses: true });
    } else {
      secrets.push({ label: `secret key ${key.id}`, fragments: keyFragments(key.value), inResponses: true });
    }
    secrets.push({ label: `hash of ${key.id}`, fragments: hexFragments(String(row!.hash)), storedIn: (table, column, r) => table === 'api_keys' && column === 'hash' && ownRow(r), inResponses: false });
  }
  const rootRows = await t.sql.query('select id, hash from root_keys');
  expect(rootRows.map((r) => r.hash)).toEqual([hasher.hash(t.rootKey)]);
  secrets.push({ label: 'root key', fragments: keyFragments(t.rootKey), inResponses: true });
  secrets.push({
    label: 'hash of the root key',
    fragments: hexFragments(String(rootRows[0].hash)),
    storedIn: (table, column, r) => table === 'root_keys' && column === 'hash' && String(r.id) === String(rootRows[0].id),
    inResponses: false,
  });
  for (const value of seen.presented) {
    secrets.push({ label: `presented credential ${value.slice(0, 12)}…`, fragments: value.startsWith('eyJ') ? [value, ...windows(value.split('.')[2], 16, 8)] : keyFragments(value), inResponses: true });
    secrets.push({ label: `hash of presented credential ${value.slice(0, 12)}…`, fragments: hexFragments(hasher.hash(value)), inResponses: false });
  }
  expect(seen.tokens.length).toBeGreaterThanOrEqual(7);
  for (const token of seen.tokens) {
    secrets.push({ label: `token ${token.slice(-8)}`, fragments: [token, ...windows(token.split('.')[2], 16, 8)], inResponses: true });
  }

  const signingKeys = await t.sql.query('select kid, private_key_encrypted, public_jwk from signing_keys');
  expect(signingKeys.length).toBe(2);
  for (const row of signingKeys) {
    const kid = String(row.kid);
    const sealed = String(row.private_key_encrypted);
    const [, iv, tag, ciphertext] = sealed.split('.');
    secrets.push({
      label: `sealed signing key ${kid}`,
      fragments: [sealed, iv, tag, ...windows(ciphertext, 16, 8)],
      storedIn: (table, column, r) => table === 'signing_keys' && column === 'private_key_encrypted' && String(r.kid) === kid,
      inResponses: false,
    });
    const der = openSealed(sealed, sealingKey, kid);
    const jwk = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' });
    const pem = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
    secrets.push({
      label: `private signing key ${kid}`,
      fragments: [String(jwk.d), ...windows(String(jwk.d), 16, 8), der.toString('base64'), der.toString('hex'), pem.split('\n')[1]],
      inResponses: false,
    });
  }
  return secrets;
}

/** Labels of the secrets found in `text` (outside their allowed places). */
export function leaksIn(text: string, secrets: Secret[]): string[] {
  const lower = text.toLowerCase();
  return secrets.filter((s) => s.fragments.some((f) => f.length >= 8 && (text.includes(f) || (/^[0-9a-f]+$/.test(f) && lower.includes(f))))).map((s) => s.label);
}

/** Parsed log lines: every line must be one JSON object. */
export function parseLog(lines: string[]): { line: string; entry: Record<string, any> | null }[] {
  return lines
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        const entry = JSON.parse(line);
        return { line, entry: entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? entry : null };
      } catch {
        return { line, entry: null };
      }
    });
}

export const REQUEST_MESSAGES = new Set(['request', 'request failed', 'unexpected error in GraphQL operation', 'could not audit a failed authentication']);
