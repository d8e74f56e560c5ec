import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './process-harness';
import { runScenario } from './hygiene-scenario';
import { REQUEST_MESSAGES, cellsOf, collectSecrets, leaksIn, parseLog } from './hygiene-secrets';
import { type Secret, type Seen, Session, type Target } from './hygiene-session';

/**
 * Log and storage hygiene over a full scenario (DESIGN.md "Key format", "Errors": "no
 * stack traces, SQL or key material ever reach a client or a log line"). One server
 * lives through everything a deployment sees — apps, secret and publishable keys of both
 * modes, every REST path and GraphQL, failures of every kind (revoked, expired, wrong
 * origin, secret key in a browser, malformed, unknown, role too low, tampered tokens,
 * secrets pasted where they do not belong), session tokens, introspection, key and
 * signing-key rotation, revocation and app deletion. Every secret value seen on the way
 * (key values, `secret` fields, tokens) and read from the database (key HMACs, sealed
 * signing keys and what they seal, the master key and its derived keys) is then looked
 * for, whole and in fragments:
 *  - in every log line (each line is a JSON object; lines about a request carry its id),
 *  - in every error returned (GraphQL `errors`, REST `error`) and every response header,
 *  - in every audit_events row, and in every cell of every table except its own column.
 * Request ids shaped like credentials are neither echoed nor logged nor stored.
 * It runs against the in-process server (logs captured at debug) and against the real
 * process at LOG_LEVEL=trace with stdout and stderr captured.
 * (secrets.security.test.ts checks key values and hashes in rows and logs; this suite
 * adds tokens, signing keys, the master key, error bodies, headers and request ids.)
 */
export function hygieneSuite(name: string, start: () => Promise<Target>) {
  describe(name, () => {
    let target: Target;
    let session: Session;
    let seen: Seen;
    let secrets: Secret[];

    beforeAll(async () => {
      target = await start();
      session = new Session(target);
      seen = await runScenario(session);
      // An access line is written right after its response: wait until every exchange has
      // one (the first test says which are missing if some never come).
      const accessLogged = () => {
        const ids = new Set(parseLog(target.logLines()).flatMap((l) => (l.entry?.msg === 'request' ? [l.entry.requestId] : [])));
        return session.exchanges.every((x) => ids.has(x.headers['x-request-id']));
      };
      await waitFor(accessLogged, 10_000);
      secrets = await collectSecrets(target, seen);
    }, 60_000);

    afterAll(async () => {
      await target?.close();
    });

    it('every log line is one JSON object, and every line about a request carries its request id', () => {
      const log = parseLog(target.logLines());
      expect(log.length).toBeGreaterThan(session.exchanges.length);
      expect(log.filter((l) => l.entry === null).map((l) => l.line)).toEqual([]);
      const aboutRequests = log.filter((l) => REQUEST_MESSAGES.has(l.entry!.msg) || 'method' in l.entry! || 'path' in l.entry! || 'status' in l.entry!);
      expect(aboutRequests.filter((l) => typeof l.entry!.requestId !== 'string' || l.entry!.requestId.length === 0).map((l) => l.line)).toEqual([]);
      // Every answered request has its access line, under the id the response announced.
      const accessLines = new Map<string, Record<string, any>[]>();
      for (const l of log) if (l.entry!.msg === 'request') accessLines.set(l.entry!.requestId, [...(accessLines.get(l.entry!.requestId) ?? []), l.entry!]);
      const missing = session.exchanges.filter((x) => {
        const lines = accessLines.get(x.headers['x-request-id']) ?? [];
        return lines.length !== 1 || lines[0].status !== x.status || lines[0].path !== x.path.split('?')[0] || lines[0].method !== x.method;
      });
      expect(missing.map((x) => `${x.label}: ${x.headers['x-request-id']}`)).toEqual([]);
      // The failures of the scenario are in the log (so the search below means something).
      for (const status of [200, 204, 400, 401, 403, 404, 405, 500]) expect(log.some((l) => l.entry!.msg === 'request' && l.entry!.status === status), `a ${status} line`).toBe(true);
      // The database failure was logged as an error (masked for the client).
      expect(log.some((l) => l.entry!.level === 'error'), 'an error line').toBe(true);
    });

    it('no log line holds a secret: key values, tokens, hashes, signing keys, the master key', () => {
      const leaks = parseLog(target.logLines())
        .map((l) => ({ line: l.line, found: leaksIn(l.line, secrets) }))
        .filter((l) => l.found.length > 0);
      expect(leaks).toEqual([]);
    });

    it('no log line quotes SQL or a stack trace (DESIGN.md "Errors")', () => {
      const sqlShaped = /\b(select\s.+\sfrom|insert\s+into|update\s.+\sset|delete\s+from)\b/i;
      // A stack inside a JSON line is escaped: a literal backslash-n before "at ".
      const stackShaped = /(\\n|\n)\s+at\s|\bat\s+\S+\s+\(\/|node_modules\//;
      const offending = parseLog(target.logLines())
        .filter((l) => sqlShaped.test(l.line) || stackShaped.test(l.line))
        .map((l) => l.line.slice(0, 400));
      expect(offending).toEqual([]);
    });

    it('no error returned quotes a secret, and no response header carries one', () => {
      expect(session.exchanges.filter((x) => x.json?.errors || x.json?.error).length).toBeGreaterThanOrEqual(40);
      const leaks: string[] = [];
      for (const x of session.exchanges) {
        const errorText = [x.json?.errors ? JSON.stringify(x.json.errors) : '', x.json?.error ? JSON.stringify(x.json.error) : '', x.status >= 400 && !x.json ? x.text : ''].join('\n');
        const quoted = leaksIn(errorText, secrets);
        if (quoted.length) leaks.push(`${x.label} (${x.status}) error quotes ${quoted.join(', ')}: ${errorText.trim().slice(0, 300)}`);
        for (const [header, value] of Object.entries(x.headers)) {
          for (const label of leaksIn(value, secrets)) leaks.push(`${x.label}: response header ${header} carries ${label}`);
        }
      }
      expect(leaks).toEqual([]);
    });

    it('no response at all carries a key hash, a signing key (sealed or not) or the master key', () => {
      const never = secrets.filter((s) => !s.inResponses);
      const leaks = session.exchanges.flatMap((x) => leaksIn(x.text, never).map((label) => `${x.label}: ${label}`));
      expect(leaks).toEqual([]);
    });

    it('no audit event row holds a secret, hash or credential-shaped request id', async () => {
      const rows = await target.sql.query('select * from audit_events');
      const actions = new Set(rows.map((r) => String(r.action)));
      for (const action of ['app.create', 'app.update', 'app.delete', 'key.create', 'key.update', 'key.revoke', 'key.rotate', 'rotation.complete', 'signing_key.rotate', 'auth.failure']) {
        expect(actions, action).toContain(action);
      }
      const leaks = rows.flatMap((row) => leaksIn(JSON.stringify(row), secrets).map((label) => `${row.id} (${row.action}): ${label}`));
      expect(leaks).toEqual([]);
      // The plain request id was kept; the credential-shaped ones were replaced.
      expect(rows.filter((r) => r.request_id === seen.benignRequestId).map((r) => r.action)).toEqual(['app.update']);
      const requestIds = new Set(rows.map((r) => String(r.request_id)));
      for (const id of seen.credentialRequestIds) expect(requestIds.has(id), `${id.slice(0, 12)}… stored as a request id`).toBe(false);
    });

    it('no stored row holds a secret outside its own column', async () => {
      const cells = await cellsOf(target);
      expect(cells.length).toBeGreaterThan(200);
      const leaks: string[] = [];
      for (const cell of cells) {
        const allowed = secrets.filter((s) => !s.storedIn?.(cell.table, cell.column, cell.row));
        for (const label of leaksIn(cell.text, allowed)) leaks.push(`${cell.table}.${cell.column}: ${label}`);
      }
      expect(leaks).toEqual([]);
    });

    it('does not echo a request id shaped like a credential', () => {
      const withIds = session.exchanges.filter((x) => x.sentRequestId !== undefined);
      expect(withIds.length).toBe(seen.credentialRequestIds.length + 2);
      for (const x of withIds) {
        const answered = x.headers['x-request-id'];
        expect(answered, x.label).toBeTruthy();
        if (x.sentRequestId === seen.benignRequestId) expect(answered).toBe(seen.benignRequestId);
        else {
          expect(answered, `${x.sentRequestId!.slice(0, 12)}… echoed`).not.toBe(x.sentRequestId);
          expect(leaksIn(answered, secrets), x.label).toEqual([]);
          expect(x.text.includes(x.sentRequestId!), `${x.sentRequestId!.slice(0, 12)}… in the body`).toBe(false);
        }
      }
    });
  });
}
