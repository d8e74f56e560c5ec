import { describe, expect, it } from 'vitest';
import {
  type Caller,
  EVERY_CALLER,
  MINTERS,
  MODES,
  READERS,
  UNKNOWN,
  afterEveryRefusal,
  appA,
  appB,
  callerOf,
  objectAuthorizationWorld,
  other,
  server,
  tokens,
} from '../helpers/object-authorization-world';

/**
 * OWASP API1 for session tokens and the REST twins of the mutations: an app key sees only
 * its own app's and mode's tokens, and POST /session_access cannot name another app or mode.
 * The world (apps A and B, every kind of caller): test/helpers/object-authorization-world.ts.
 */
objectAuthorizationWorld();

/** Tokens of A's other mode and of B (both modes). */
const foreignTokens = (c: Caller) =>
  (
    [
      ['A', other(c.mode)],
      ['B', c.mode],
      ['B', other(c.mode)],
    ] as const
  ).map(([app, mode]) => ({ label: `a token of ${app === 'A' ? "A's" : "B's"} ${mode} mode`, token: tokens[app][mode] }));

const rest = (path: string, caller: Caller, body: unknown) =>
  fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${caller.secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('a session token of another app or of the other mode is inactive to an app key (DESIGN.md "Domain": a key sees only its own mode\'s tokens)', () => {
  it('root sees every target token active (the control)', async () => {
    for (const app of ['A', 'B'] as const) {
      for (const mode of MODES) {
        const result = await server.root.raw<{ introspectToken: { active: boolean } }>('query($t: String!) { introspectToken(token: $t) { active } }', { t: tokens[app][mode] });
        expect(result.data?.introspectToken.active, `${app} ${mode}`).toBe(true);
      }
    }
  });

  for (const { mode, who, name } of EVERY_CALLER) {
    it(`introspectToken, as ${name}: ${READERS.includes(who) ? 'inactive, with nothing of the token' : 'FORBIDDEN (the role may not introspect)'}`, async () => {
      const caller = callerOf(who, mode);
      for (const { label, token } of foreignTokens(caller)) {
        const result = await caller.client.raw('query($t: String!) { introspectToken(token: $t) { active tokenId appId keyId userId channelId mode services issuedAt expiresAt } }', { t: token });
        if (READERS.includes(who)) {
          expect(result.errors, label).toBeUndefined();
          expect(result.data, label).toEqual({
            introspectToken: { active: false, tokenId: null, appId: null, keyId: null, userId: null, channelId: null, mode: null, services: null, issuedAt: null, expiresAt: null },
          });
        } else {
          expect(result.status, label).toBe(403);
          expect(result.errors?.[0].extensions, label).toMatchObject({ code: 'FORBIDDEN', reason: 'INSUFFICIENT_ROLE' });
        }
      }
    });
  }

  for (const { mode, who, name } of EVERY_CALLER) {
    it(`POST /oauth/introspect, as ${name}: ${who === 'publishable' ? '403 permission_denied' : 'exactly {"active":false}'}`, async () => {
      const caller = callerOf(who, mode);
      for (const { label, token } of foreignTokens(caller)) {
        const response = await rest('/oauth/introspect', caller, { token });
        const body = await response.json();
        if (who === 'publishable') {
          expect(response.status, label).toBe(403);
          expect(body, label).toEqual({ error: expect.objectContaining({ code: 'permission_denied' }) });
        } else {
          expect(response.status, label).toBe(200);
          expect(body, label).toEqual({ active: false });
        }
      }
    });
  }
});

describe('POST /session_access names an app or a mode the key does not own (the REST twin of sessionAccess)', () => {
  for (const { mode, who, name } of EVERY_CALLER) {
    it(`as ${name}: ${MINTERS.includes(who) ? '404 not_found for another app (as for an unknown one), 403 MODE_MISMATCH for the other mode' : '403 INSUFFICIENT_ROLE for both'}`, async () => {
      const caller = callerOf(who, mode);
      const foreign = await rest('/session_access', caller, { user_id: 'hijacker', app_id: appB.id });
      const foreignText = await foreign.text();
      const unknown = await rest('/session_access', caller, { user_id: 'hijacker', app_id: UNKNOWN.app });
      expect(foreignText).not.toContain(appB.id);
      expect({ status: foreign.status, body: JSON.parse(foreignText) }).toEqual({ status: unknown.status, body: await unknown.json() });
      const otherMode = await rest('/session_access', caller, { user_id: 'hijacker', app_id: appA.id, mode: other(mode) });
      const otherModeBody = await otherMode.json();
      if (MINTERS.includes(who)) {
        expect(foreign.status).toBe(404);
        expect(JSON.parse(foreignText)).toEqual({ error: expect.objectContaining({ code: 'not_found' }) });
        expect(otherMode.status).toBe(403);
        expect(otherModeBody).toEqual({ error: expect.objectContaining({ code: 'permission_denied', reason: 'MODE_MISMATCH' }) });
      } else {
        expect(foreign.status).toBe(403);
        expect(JSON.parse(foreignText)).toEqual({ error: expect.objectContaining({ code: 'permission_denied', reason: 'INSUFFICIENT_ROLE' }) });
        expect(otherMode.status).toBe(403);
        expect(otherModeBody).toEqual({ error: expect.objectContaining({ code: 'permission_denied', reason: 'INSUFFICIENT_ROLE' }) });
      }
    });
  }
});

afterEveryRefusal();
