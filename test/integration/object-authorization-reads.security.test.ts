import { describe, expect, it } from 'vitest';
import { runMatrix } from '../helpers/object-authorization-matrix';
import { READ_ROWS } from '../helpers/object-authorization-read-rows';
import { MODES, WHO, afterEveryRefusal, callers, objectAuthorizationWorld } from '../helpers/object-authorization-world';

/**
 * OWASP API1 (broken object-level authorisation), as an exhaustive matrix.
 *
 * DESIGN.md: "App keys act only on their own app and mode"; "Data of the other mode behaves
 * as if it did not exist (NOT_FOUND), and a key can never create, rotate or mint across
 * modes"; and the permission table says which roles may call what at all.
 *
 * For EVERY argument of the emitted schema that names an object (an ID, anywhere in a
 * field's arguments or input objects) or a mode (KeyMode), every kind of app key — a
 * publishable key and secret READ_ONLY, READ_WRITE and ADMIN keys of app A, in TEST mode
 * and in LIVE mode — names objects of app B and of A's other mode. The answer is:
 *   - FORBIDDEN / INSUFFICIENT_ROLE (HTTP 403) where the permission table denies the role;
 *   - otherwise NOT_FOUND, indistinguishable from an id that does not exist; an empty
 *     list where the argument filters a list; FORBIDDEN (MODE_MISMATCH) for creating or
 *     minting in the other mode;
 *   - never anything of the other object (its id or name) in the answer;
 *   - and, read back by root, nothing changed.
 * The table is checked against schema/schema.graphql by object-authorization-coverage.security.test.ts:
 * a new id- or mode-taking argument fails there until it has a row. This file runs the rows
 * for reads; object-authorization-writes runs the mutations', object-authorization-tokens
 * covers session tokens and the REST twins; tenancy.security.test.ts holds the narrative cases.
 */

objectAuthorizationWorld();

describe('the callers', () => {
  it('are every kind of app key in both modes', () => {
    expect(callers.map((c) => `${c.mode} ${c.who}`).sort()).toEqual(MODES.flatMap((m) => WHO.map((w) => `${m} ${w}`)).sort());
  });
});

/** Reads: an object of another app or mode is NOT_FOUND, a filter naming one finds nothing. */
runMatrix(READ_ROWS);

afterEveryRefusal();
