import { describe, expect, it } from 'vitest';
import { type GraphQLResult, codeOf } from './graphql-client';
import {
  type Caller,
  EVERY_CALLER,
  type Mode,
  type Thing,
  UNKNOWN,
  type Who,
  appA,
  appB,
  callerOf,
  deliveries,
  endpoints,
  keys,
  other,
  rotations,
  server,
  snapshot,
} from './object-authorization-world';

/**
 * The object-authorization matrix: a row per argument that names an object or a mode, run
 * for every caller. What each row expects is documented on Outcome and in the suites.
 */

/** What a target is and which variables name it. */
export interface Target {
  label: string;
  vars: Record<string, unknown>;
  /** The same request naming an object that does not exist, for "indistinguishable". */
  unknownVars?: Record<string, unknown>;
  /** Ids and names of objects the caller must never see in the answer. */
  hidden: Thing[];
}

/**
 * What a caller the permission table allows gets:
 *   NOT_FOUND — the object does not exist for it;
 *   EMPTY     — a list filtered by the argument holds nothing (root's holds something);
 *   MODE      — FORBIDDEN with reason MODE_MISMATCH (creating or minting in the other mode).
 */
export type Outcome = 'NOT_FOUND' | 'EMPTY' | 'MODE';

export interface Row {
  /** Schema coordinate of the argument: `Type.field(arg)` or `Type.field(arg.inputField)`. */
  field: string;
  title: string;
  may: Who[];
  outcome: Outcome;
  document: string;
  targets(caller: Caller): Target[];
  /** For EMPTY: how many things the answer holds. */
  count?(data: Record<string, any>): number;
  /** Mutations are checked to have changed nothing. */
  mutation?: boolean;
  /** Callers of which mode the row is about (default: both). */
  mode?: Mode;
}

/** The same objects of A's other mode and of B (both modes) — endpoints or deliveries. */
export const foreign = (c: Caller, of: typeof endpoints, what: string, unknown: string): Target[] =>
  (
    [
      ['A', other(c.mode)],
      ['B', c.mode],
      ['B', other(c.mode)],
    ] as const
  ).map(([app, mode]) => ({
    label: `${app === 'A' ? "A's" : "B's"} ${mode} ${what}`,
    vars: { id: of[app][mode].id },
    unknownVars: { id: unknown },
    hidden: [of[app][mode]],
  }));
export const foreignEndpoints = (c: Caller) => foreign(c, endpoints, 'webhook endpoint', UNKNOWN.endpoint);
export const foreignDeliveries = (c: Caller) => foreign(c, deliveries, 'webhook delivery', UNKNOWN.delivery);

/** Ids of app B, as seen by any caller. */
export const otherApp = (c: Caller): Target[] => [{ label: 'app B', vars: { id: appB.id, mode: c.mode }, unknownVars: { id: UNKNOWN.app, mode: c.mode }, hidden: [appB] }];

/** Keys of A's other mode and of B (both modes), secret and publishable. */
export const foreignKeys = (c: Caller): Target[] =>
  (
    [
      ['A', other(c.mode)],
      ['B', c.mode],
      ['B', other(c.mode)],
    ] as const
  ).flatMap(([app, mode]) =>
    (['secret', 'publishable'] as const).map((kind) => ({
      label: `${app === 'A' ? "A's" : "B's"} ${mode} ${kind} key`,
      vars: { id: keys[app][mode][kind].id },
      unknownVars: { id: UNKNOWN.key },
      hidden: [keys[app][mode][kind]],
    })),
  );

/** Rotations of A's other mode and of B (both modes). */
export const foreignRotations = (c: Caller): Target[] =>
  (
    [
      ['A', other(c.mode)],
      ['B', c.mode],
      ['B', other(c.mode)],
    ] as const
  ).map(([app, mode]) => ({
    label: `the rotation of ${app === 'A' ? "A's" : "B's"} ${mode} key`,
    vars: { id: rotations[app][mode].id },
    unknownVars: { id: UNKNOWN.rotation },
    hidden: [rotations[app][mode]],
  }));

/** Everything of A's other mode (its keys and rotations), which a filter must not reveal. */
export const otherModeOfA = (c: Caller): Thing[] => [keys.A[other(c.mode)].secret, keys.A[other(c.mode)].publishable, rotations.A[other(c.mode)], endpoints.A[other(c.mode)]];

/** A's own app, asked about its other mode. */
export const otherModeOfOwnApp = (c: Caller): Target[] => [{ label: `app A's ${other(c.mode)} mode`, vars: { a: appA.id, mode: other(c.mode) }, hidden: otherModeOfA(c) }];

/** What a client could use to tell "exists elsewhere" from "does not exist". */
function visible(result: GraphQLResult<unknown>) {
  return { status: result.status, data: result.data, errors: result.errors?.map((e) => ({ message: e.message, path: e.path, code: e.extensions?.code, reason: e.extensions?.reason })) };
}

function expectNothingOf(result: GraphQLResult<unknown>, hidden: Thing[]) {
  const text = JSON.stringify({ data: result.data, errors: result.errors });
  for (const thing of hidden) {
    expect(text, `the answer shows ${thing.name}`).not.toContain(thing.id);
    expect(text, `the answer shows ${thing.name}`).not.toContain(thing.name);
  }
}

/** Root's count for the same request: the filtered list does hold something, for someone allowed to see it. */
const rootCounts = new Map<string, number>();
async function rootCount(row: Row, target: Target): Promise<number> {
  const key = `${row.document} ${JSON.stringify(target.vars)}`;
  if (!rootCounts.has(key)) {
    const result = await server.root.raw<Record<string, any>>(row.document, target.vars);
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    rootCounts.set(key, row.count!(result.data!));
  }
  return rootCounts.get(key)!;
}

const expectation = (row: Row, who: Who): string =>
  !row.may.includes(who) ? 'FORBIDDEN (INSUFFICIENT_ROLE)' : row.outcome === 'MODE' ? 'FORBIDDEN (MODE_MISMATCH)' : row.outcome === 'EMPTY' ? 'nothing' : 'NOT_FOUND';


/** Registers one describe per row, with one test per caller. */
export function runMatrix(rows: Row[]): void {
  for (const row of rows) {
    describe(`${row.field}: ${row.title}`, () => {
      for (const { mode, who, name } of EVERY_CALLER.filter((c) => !row.mode || c.mode === row.mode)) {
        // Targets are made in beforeAll, so each test enumerates its own when it runs.
        it(`${name} gets ${expectation(row, who)}`, async () => {
          const caller = callerOf(who, mode);
          const before = row.mutation ? await snapshot() : undefined;
          for (const target of row.targets(caller)) {
            const label = `${caller.label} → ${target.label}: expected ${expectation(row, who)}`;
            const result = await caller.client.raw<Record<string, any>>(row.document, target.vars);
            expectNothingOf(result, target.hidden);

            if (!row.may.includes(who) || row.outcome === 'MODE') {
              const reason = row.may.includes(who) ? 'MODE_MISMATCH' : 'INSUFFICIENT_ROLE';
              expect(result.errors, label).toHaveLength(1);
              expect(result.errors![0].extensions, label).toMatchObject({ code: 'FORBIDDEN', reason });
              expect(result.status, label).toBe(403);
              expect(Object.values(result.data ?? {}).every((v) => v === null), label).toBe(true);
            } else if (row.outcome === 'NOT_FOUND') {
              expect(codeOf(result), `${label}; got ${JSON.stringify(result.errors ?? result.data)}`).toBe('NOT_FOUND');
              expect(Object.values(result.data ?? {}).every((v) => v === null), label).toBe(true);
            } else {
              expect(result.errors, `${label}; got ${JSON.stringify(result.errors)}`).toBeUndefined();
              expect(row.count!(result.data!), `${label}; got ${JSON.stringify(result.data)}`).toBe(0);
              expect(await rootCount(row, target), `root sees something there (else the case proves nothing): ${target.label}`).toBeGreaterThan(0);
            }
            if (target.unknownVars) {
              const unknown = await caller.client.raw(row.document, target.unknownVars);
              expect(visible(result), `${label}: indistinguishable from an id that does not exist`).toEqual(visible(unknown));
            }
          }
          if (before) expect(await snapshot(), `${caller.label}, ${row.title}: root reads the same state afterwards`).toEqual(before);
        });
      }
    });
  }
}
