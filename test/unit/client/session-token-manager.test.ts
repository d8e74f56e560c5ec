import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  MAX_TIMER_DELAY_MS,
  SessionTokenManager,
  SessionTokenManagerError,
  type FetchedSessionToken,
  type SessionTokenErrorEvent,
  type SessionTokenManagerOptions,
} from '../../../packages/client/src';

const T0 = Date.parse('2026-06-01T12:00:00.000Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const LIFETIME = 10 * MINUTE; // refreshAt is 80% in: 8 minutes
const SECRET = 'kgs_SECRET-token-value-do-not-log';

/** A token like the server's: ISO strings, refreshAt 80% into the lifetime, starting now. */
function issue(n: number, lifetimeMs = LIFETIME): FetchedSessionToken {
  const now = Date.now();
  return {
    token: `tok-${n}`,
    tokenId: `id-${n}`,
    expiresAt: new Date(now + lifetimeMs).toISOString(),
    refreshAt: new Date(now + lifetimeMs * 0.8).toISOString(),
  };
}

/** A fetchToken that issues tok-1, tok-2, ... and records when it was called. */
function issuing(lifetimeMs = LIFETIME) {
  let n = 0;
  const calls: number[] = [];
  const fetchToken = vi.fn(async () => {
    calls.push(Date.now());
    return issue(++n, lifetimeMs);
  });
  return { fetchToken, calls };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const managers: SessionTokenManager[] = [];
function manager(options: SessionTokenManagerOptions) {
  const m = new SessionTokenManager(options);
  managers.push(m);
  return m;
}

function record(m: SessionTokenManager) {
  const log: string[] = [];
  const errors: SessionTokenErrorEvent[] = [];
  m.on('expiring', ({ expiresAt }) => log.push(`expiring ${expiresAt.toISOString()}`));
  m.on('refreshed', ({ token }) => log.push(`refreshed ${token}`));
  m.on('error', (e) => (log.push(`error #${e.attempt}`), errors.push(e)));
  return { log, errors };
}

/** Lets settled promises run without moving the clock. */
const flush = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});

/**
 * Records the calls to globalThis.setTimeout (fake or real, whichever is in place) until the
 * test ends, then puts back the very function it found. Not vi.spyOn: restoring such a spy
 * later put a fake setTimeout back on globalThis, and a worker runs other files after this
 * one (vitest.config.ts), whose timers then never fired.
 */
const undoAfterTest: (() => void)[] = [];
function recordSetTimeout() {
  const found = globalThis.setTimeout;
  const recorder = vi.fn(found);
  globalThis.setTimeout = recorder as unknown as typeof setTimeout;
  undoAfterTest.push(() => (globalThis.setTimeout = found));
  return recorder;
}

afterEach(() => {
  for (const m of managers.splice(0)) m.dispose();
  for (const undo of undoAfterTest.splice(0).reverse()) undo();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('SessionTokenManager: getting a token', () => {
  it('fetches nothing until the first getToken() call', async () => {
    const { fetchToken } = issuing();
    const m = manager({ fetchToken });
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(fetchToken).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);

    await expect(m.getToken()).resolves.toBe('tok-1');
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('serves the cached token while it is unexpired, without fetching again', async () => {
    const { fetchToken } = issuing();
    const m = manager({ fetchToken });
    await m.getToken();
    await vi.advanceTimersByTimeAsync(8 * MINUTE - 1);
    await expect(m.getToken()).resolves.toBe('tok-1');
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('shares one in-flight fetch among concurrent callers', async () => {
    const pending = deferred<FetchedSessionToken>();
    const fetchToken = vi.fn(() => pending.promise);
    const m = manager({ fetchToken });

    const callers = Array.from({ length: 5 }, () => m.getToken());
    expect(fetchToken).toHaveBeenCalledTimes(1);
    pending.resolve(issue(1));
    await expect(Promise.all(callers)).resolves.toEqual(Array(5).fill('tok-1'));
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('shares a failing fetch too: every concurrent caller gets its error, and one error event fires', async () => {
    const pending = deferred<FetchedSessionToken>();
    const m = manager({ fetchToken: vi.fn(() => pending.promise) });
    const { errors } = record(m);

    const callers = Array.from({ length: 3 }, () => m.getToken());
    pending.reject(new Error('backend down'));
    for (const caller of callers) await expect(caller).rejects.toThrow('backend down');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toEqual({ error: new Error('backend down'), attempt: 1 });
  });

  it('fetches a new token before resolving when the current one is past expiry', async () => {
    const { fetchToken } = issuing();
    const m = manager({ fetchToken });
    await m.getToken();
    vi.setSystemTime(T0 + LIFETIME); // the clock jumps (a sleeping laptop): no timer has run
    await expect(m.getToken()).resolves.toBe('tok-2');
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('rejects getToken() when the token has expired and the fetch fails, and recovers once it succeeds', async () => {
    const fetchToken = vi.fn<() => Promise<FetchedSessionToken>>().mockResolvedValueOnce(issue(1));
    const m = manager({ fetchToken, maxRetries: 0 });
    const { errors } = record(m);
    await m.getToken();

    fetchToken.mockRejectedValue(new Error('backend down'));
    await vi.advanceTimersByTimeAsync(LIFETIME); // the background refresh fails; maxRetries 0: no retry
    await expect(m.getToken()).rejects.toThrow('backend down');
    expect(errors.map((e) => e.attempt)).toEqual([1, 2]);

    fetchToken.mockResolvedValue(issue(2));
    await expect(m.getToken()).resolves.toBe('tok-2');
  });

  it('wraps a non-Error rejection in an Error', async () => {
    const m = manager({ fetchToken: () => Promise.reject('nope') });
    await expect(m.getToken()).rejects.toThrow(/fetchToken\(\) rejected with a non-Error value/);
  });
});

describe('SessionTokenManager: background refresh at refreshAt', () => {
  it('refreshes at refreshAt, emitting expiring (with the old expiresAt) and then refreshed', async () => {
    const { fetchToken, calls } = issuing();
    const m = manager({ fetchToken });
    const { log } = record(m);
    await m.getToken();

    await vi.advanceTimersByTimeAsync(8 * MINUTE - 1);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([T0, T0 + 8 * MINUTE]);
    expect(log).toEqual(['refreshed tok-1', 'expiring 2026-06-01T12:10:00.000Z', 'refreshed tok-2']);
    await expect(m.getToken()).resolves.toBe('tok-2');

    await vi.advanceTimersByTimeAsync(8 * MINUTE); // and again, 80% into the new lifetime
    expect(calls).toEqual([T0, T0 + 8 * MINUTE, T0 + 16 * MINUTE]);
  });

  it('emits refreshed with the token value, its id and parsed dates', async () => {
    const m = manager({ fetchToken: async () => issue(1) });
    const refreshed = vi.fn();
    m.on('refreshed', refreshed);
    await m.getToken();
    expect(refreshed).toHaveBeenCalledWith({
      token: 'tok-1',
      tokenId: 'id-1',
      expiresAt: new Date(T0 + LIFETIME),
      refreshAt: new Date(T0 + 8 * MINUTE),
    });
  });

  it('keeps serving the current token while a background refresh is in flight', async () => {
    const next = deferred<FetchedSessionToken>();
    const fetchToken = vi.fn<() => Promise<FetchedSessionToken>>().mockResolvedValueOnce(issue(1)).mockReturnValueOnce(next.promise);
    const m = manager({ fetchToken });
    await m.getToken();
    await vi.advanceTimersByTimeAsync(8 * MINUTE);
    expect(fetchToken).toHaveBeenCalledTimes(2);

    await expect(m.getToken()).resolves.toBe('tok-1');
    next.resolve(issue(2));
    await flush();
    await expect(m.getToken()).resolves.toBe('tok-2');
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('lets a caller whose token has expired join the background refresh already in flight', async () => {
    const next = deferred<FetchedSessionToken>();
    const fetchToken = vi.fn<() => Promise<FetchedSessionToken>>().mockResolvedValueOnce(issue(1)).mockReturnValueOnce(next.promise);
    const m = manager({ fetchToken });
    await m.getToken();
    await vi.advanceTimersByTimeAsync(8 * MINUTE);
    vi.setSystemTime(T0 + LIFETIME);

    const caller = m.getToken();
    next.resolve(issue(2));
    await expect(caller).resolves.toBe('tok-2');
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });
});

describe('SessionTokenManager: retrying a failed background refresh', () => {
  const DAY = 24 * 60 * MINUTE; // long enough that expiry never cuts the retries short here
  // Retry n waits a uniform draw from [upper/2, upper], upper = min(30000, 1000 * 2^n), never < 1000.
  const windows: Array<[number, number]> = [
    [1000, 2000],
    [2000, 4000],
    [4000, 8000],
    [8000, 16000],
    [15000, 30000],
    [15000, 30000],
    [15000, 30000],
  ];

  /** Succeeds once, then fails every refresh; returns the gaps between the failing attempts. */
  async function retryGaps(options: Partial<SessionTokenManagerOptions>) {
    const calls: number[] = [];
    const fetchToken = vi.fn(async () => {
      calls.push(Date.now());
      if (calls.length === 1) return issue(1, DAY);
      throw new Error('backend down');
    });
    const m = manager({ fetchToken, ...options });
    const { errors } = record(m);
    await m.getToken();
    await vi.advanceTimersByTimeAsync(DAY * 0.8 + 2 * MINUTE);
    const failures = calls.slice(1);
    const gaps = failures.slice(1).map((t, i) => t - failures[i]!);
    return { gaps, errors };
  }

  it.each([
    ['the low end', 0],
    ['the middle', 0.5],
    ['the high end', 0.999999],
  ])('grows exponentially, capped at maxRetryDelayMs, with jitter at %s of each window', async (_, r) => {
    const { gaps, errors } = await retryGaps({ random: () => r });
    const expected = windows.map(([lo, hi]) => Math.round(lo + r * (hi - lo)));
    expect(gaps.slice(0, windows.length)).toEqual(expected);
    expect(errors.slice(0, windows.length).map((e) => e.retryInMs)).toEqual(expected);
    expect(errors.slice(0, 4).map((e) => e.attempt)).toEqual([1, 2, 3, 4]);
  });

  it('draws the jitter from Math.random by default, staying inside each window', async () => {
    const random = vi.spyOn(Math, 'random');
    const { gaps } = await retryGaps({});
    expect(random).toHaveBeenCalled();
    windows.forEach(([lo, hi], i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(lo);
      expect(gaps[i]).toBeLessThanOrEqual(hi);
    });
    expect(Math.max(...gaps)).toBeLessThanOrEqual(30_000);
  });

  it('honours custom minRetryDelayMs and maxRetryDelayMs', async () => {
    const { gaps } = await retryGaps({ minRetryDelayMs: 100, maxRetryDelayMs: 500, random: () => 0 });
    expect(gaps.slice(0, 5)).toEqual([100, 200, 250, 250, 250]);
  });

  it('keeps retrying until the token expires, then stops (and the token is served meanwhile)', async () => {
    const calls: number[] = [];
    const fetchToken = vi.fn(async () => {
      calls.push(Date.now() - T0);
      if (calls.length === 1) return issue(1);
      throw new Error('backend down');
    });
    const m = manager({ fetchToken, random: () => 0 });
    const { errors } = record(m);
    await m.getToken();

    await vi.advanceTimersByTimeAsync(LIFETIME - 1);
    // refresh at 480 s, then retries 1, 2, 4, 8, 15, 15, ... s apart; 585 s + 15 s would reach expiry (600 s).
    expect(calls.map((t) => t / SECOND)).toEqual([0, 480, 481, 483, 487, 495, 510, 525, 540, 555, 570, 585]);
    expect(errors.at(-1)).toEqual({ error: new Error('backend down'), attempt: 11 });
    expect(errors.slice(0, -1).every((e) => e.retryInMs !== undefined)).toBe(true);
    await expect(m.getToken()).resolves.toBe('tok-1');
    expect(vi.getTimerCount()).toBe(0);

    await vi.advanceTimersByTimeAsync(10 * MINUTE);
    expect(fetchToken).toHaveBeenCalledTimes(12);
  });

  it('stops after maxRetries background retries', async () => {
    const fetchToken = vi.fn<() => Promise<FetchedSessionToken>>().mockResolvedValueOnce(issue(1)).mockRejectedValue(new Error('backend down'));
    const m = manager({ fetchToken, maxRetries: 2 });
    const { errors } = record(m);
    await m.getToken();
    await vi.advanceTimersByTimeAsync(LIFETIME - 1);
    expect(fetchToken).toHaveBeenCalledTimes(4); // the first fetch, the refresh, two retries
    expect(errors.map((e) => [e.attempt, e.retryInMs !== undefined])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
  });

  it('returns to the normal schedule after a successful retry, with the attempt count reset', async () => {
    const fetchToken = vi
      .fn<() => Promise<FetchedSessionToken>>()
      .mockImplementationOnce(async () => issue(1))
      .mockRejectedValueOnce(new Error('down'))
      .mockRejectedValueOnce(new Error('down'))
      .mockImplementationOnce(async () => issue(2))
      .mockRejectedValueOnce(new Error('down again'));
    const m = manager({ fetchToken, random: () => 0 });
    const { log, errors } = record(m);
    await m.getToken();

    await vi.advanceTimersByTimeAsync(8 * MINUTE + 3 * SECOND); // refresh fails, +1 s fails, +2 s succeeds
    expect(log.slice(-4)).toEqual(['expiring 2026-06-01T12:10:00.000Z', 'error #1', 'error #2', 'refreshed tok-2']);
    await vi.advanceTimersByTimeAsync(8 * MINUTE);
    expect(errors.at(-1)).toMatchObject({ attempt: 1, retryInMs: 1000 });
  });

  it('never throws when nobody listens for errors, and survives listeners that throw', async () => {
    const fetchToken = vi.fn<() => Promise<FetchedSessionToken>>().mockResolvedValueOnce(issue(1)).mockRejectedValue(new Error('down'));
    const m = manager({ fetchToken });
    m.on('expiring', () => {
      throw new Error('listener bug');
    });
    m.on('refreshed', () => {
      throw new Error('listener bug');
    });
    await expect(m.getToken()).resolves.toBe('tok-1');
    await vi.advanceTimersByTimeAsync(LIFETIME - 1); // unhandled rejections would fail the run
    expect(fetchToken.mock.calls.length).toBeGreaterThan(2);
  });
});

describe('SessionTokenManager: stop() and dispose()', () => {
  it('stop() clears every timer and makes getToken() reject', async () => {
    const { fetchToken } = issuing();
    const m = manager({ fetchToken });
    await m.getToken();
    expect(vi.getTimerCount()).toBe(1);

    m.stop();
    expect(vi.getTimerCount()).toBe(0);
    await expect(m.getToken()).rejects.toMatchObject({ name: 'SessionTokenManagerError', code: 'STOPPED' });
    await vi.advanceTimersByTimeAsync(LIFETIME * 3);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('stop() clears a pending retry timer', async () => {
    const fetchToken = vi.fn<() => Promise<FetchedSessionToken>>().mockResolvedValueOnce(issue(1)).mockRejectedValue(new Error('down'));
    const m = manager({ fetchToken });
    await m.getToken();
    await vi.advanceTimersByTimeAsync(8 * MINUTE);
    expect(vi.getTimerCount()).toBe(1); // the retry

    m.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(LIFETIME);
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('stop() during a fetch rejects the waiting callers and discards the result', async () => {
    const pending = deferred<FetchedSessionToken>();
    const m = manager({ fetchToken: () => pending.promise });
    const refreshed = vi.fn();
    m.on('refreshed', refreshed);
    const caller = m.getToken();
    m.stop();
    pending.resolve(issue(1));
    await expect(caller).rejects.toMatchObject({ code: 'STOPPED' });
    expect(refreshed).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('dispose() stops and drops the listeners', async () => {
    const m = manager({ fetchToken: async () => issue(1) });
    const refreshed = vi.fn();
    m.on('refreshed', refreshed);
    await m.getToken();
    m.dispose();
    expect(vi.getTimerCount()).toBe(0);
    await expect(m.getToken()).rejects.toThrow(SessionTokenManagerError);
    expect(refreshed).toHaveBeenCalledTimes(1);
  });

  it('on() returns an unsubscribe function', async () => {
    const { fetchToken } = issuing();
    const m = manager({ fetchToken });
    const refreshed = vi.fn();
    const off = m.on('refreshed', refreshed);
    await m.getToken();
    off();
    await vi.advanceTimersByTimeAsync(8 * MINUTE);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(refreshed).toHaveBeenCalledTimes(1);
    // @ts-expect-error: events are typed, and a misspelt name fails at runtime too
    expect(() => m.on('refreshd', () => {})).toThrow(TypeError);
  });
});

describe('SessionTokenManager: validating what fetchToken() returns', () => {
  const valid = () => issue(0);
  it.each<[string, () => unknown, RegExp]>([
    ['null', () => null, /is not an object/],
    ['a bare token string', () => SECRET, /is not an object/],
    ['a missing token', () => ({ ...valid(), token: undefined }), /missing or empty "token"/],
    ['an empty token', () => ({ ...valid(), token: '' }), /missing or empty "token"/],
    ['a numeric token', () => ({ ...valid(), token: 42 }), /missing or empty "token"/],
    ['a non-string tokenId', () => ({ ...valid(), token: SECRET, tokenId: 7 }), /non-string "tokenId"/],
    ['a missing expiresAt', () => ({ ...valid(), token: SECRET, expiresAt: undefined }), /unparseable "expiresAt"/],
    ['an unparseable expiresAt', () => ({ ...valid(), token: SECRET, expiresAt: 'soon' }), /unparseable "expiresAt"/],
    ['the token in expiresAt', () => ({ ...valid(), token: SECRET, expiresAt: SECRET }), /unparseable "expiresAt"/],
    ['an invalid Date refreshAt', () => ({ ...valid(), token: SECRET, refreshAt: new Date(NaN) }), /unparseable "refreshAt"/],
    ['a numeric refreshAt', () => ({ ...valid(), token: SECRET, refreshAt: T0 + MINUTE }), /unparseable "refreshAt"/],
    ['an expiresAt in the past', () => ({ ...valid(), token: SECRET, expiresAt: new Date(T0 - 1).toISOString() }), /already expired/],
  ])('rejects %s with an error event and a message that never includes the token', async (_, shape, message) => {
    const m = manager({ fetchToken: async () => shape() as FetchedSessionToken });
    const { errors } = record(m);

    const error = await m.getToken().then(
      () => expect.unreachable(),
      (e: unknown) => e as SessionTokenManagerError,
    );
    expect(error).toBeInstanceOf(SessionTokenManagerError);
    expect(error.code).toBe('INVALID_TOKEN_RESPONSE');
    expect(error.message).toMatch(message);
    expect(errors).toEqual([{ error, attempt: 1 }]);
    for (const text of [error.message, String(error.stack), String(error), JSON.stringify(errors)]) expect(text).not.toContain(SECRET);
    expect(error.cause).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('accepts Date objects as well as ISO strings, and a null tokenId', async () => {
    const m = manager({
      fetchToken: async () => ({ token: 'tok-1', tokenId: null, expiresAt: new Date(T0 + LIFETIME), refreshAt: new Date(T0 + 8 * MINUTE) }),
    });
    const refreshed = vi.fn();
    m.on('refreshed', refreshed);
    await expect(m.getToken()).resolves.toBe('tok-1');
    expect(refreshed).toHaveBeenCalledWith({ token: 'tok-1', expiresAt: new Date(T0 + LIFETIME), refreshAt: new Date(T0 + 8 * MINUTE) });
  });

  it('treats an invalid background refresh response like a failed fetch, and retries', async () => {
    const fetchToken = vi
      .fn<() => Promise<FetchedSessionToken>>()
      .mockResolvedValueOnce(issue(1))
      .mockResolvedValueOnce({ ...issue(2), expiresAt: 'garbage' })
      .mockImplementationOnce(async () => issue(3));
    const m = manager({ fetchToken, random: () => 0 });
    const { log } = record(m);
    await m.getToken();
    await vi.advanceTimersByTimeAsync(8 * MINUTE + SECOND);
    expect(log).toEqual(['refreshed tok-1', 'expiring 2026-06-01T12:10:00.000Z', 'error #1', 'refreshed tok-3']);
  });
});

describe('SessionTokenManager: scheduling guards', () => {
  it('refreshes immediately when refreshAt is already in the past', async () => {
    const fetchToken = vi
      .fn<() => Promise<FetchedSessionToken>>()
      .mockResolvedValueOnce({ ...issue(1), refreshAt: new Date(T0 - MINUTE).toISOString() })
      .mockImplementation(async () => issue(2));
    const m = manager({ fetchToken });
    const { log } = record(m);
    await m.getToken();
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual(['refreshed tok-1', 'expiring 2026-06-01T12:10:00.000Z', 'refreshed tok-2']);
    await vi.advanceTimersByTimeAsync(8 * MINUTE - 2);
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('backs off instead of hammering the server when every refreshAt is already past (a skewed clock)', async () => {
    const calls: number[] = [];
    const fetchToken = vi.fn(async () => {
      calls.push(Date.now() - T0);
      return { ...issue(calls.length), refreshAt: new Date(Date.now() - MINUTE).toISOString() };
    });
    const m = manager({ fetchToken, random: () => 0 });
    await m.getToken();
    await vi.advanceTimersByTimeAsync(10 * SECOND);
    // immediately once, then 1 s, 2 s, 4 s apart (the backoff windows' low ends)
    expect(calls).toEqual([0, 0, 1000, 3000, 7000]);
  });

  it('clamps a refreshAt after expiresAt to expiresAt', async () => {
    const fetchToken = vi
      .fn<() => Promise<FetchedSessionToken>>()
      .mockResolvedValueOnce({ ...issue(1), refreshAt: new Date(T0 + 2 * LIFETIME).toISOString() })
      .mockImplementation(async () => issue(2));
    const m = manager({ fetchToken });
    const refreshed = vi.fn();
    m.on('refreshed', refreshed);
    await m.getToken();
    expect(refreshed.mock.calls[0]![0].refreshAt).toEqual(new Date(T0 + LIFETIME));
    await vi.advanceTimersByTimeAsync(LIFETIME - 1);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('splits a delay beyond 2^31-1 ms (setTimeout overflow) into chunks that fire on time', async () => {
    const DAY = 24 * 60 * MINUTE;
    const { fetchToken, calls } = issuing(60 * DAY); // refreshAt 48 days out, ~4.1e9 ms
    const setTimeoutSpy = recordSetTimeout();
    const m = manager({ fetchToken });
    await m.getToken();

    await vi.advanceTimersByTimeAsync(MAX_TIMER_DELAY_MS);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(48 * DAY - MAX_TIMER_DELAY_MS - 1);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([T0, T0 + 48 * DAY]);
    for (const [, delay] of setTimeoutSpy.mock.calls) expect(delay).toBeLessThanOrEqual(MAX_TIMER_DELAY_MS);
  });

  it("unrefs its timers so they don't keep a Node process alive", async () => {
    vi.useRealTimers();
    const setTimeoutSpy = recordSetTimeout();
    const m = manager({ fetchToken: async () => issue(1) });
    await m.getToken();
    const handle = setTimeoutSpy.mock.results.at(-1)!.value as NodeJS.Timeout;
    expect(handle.hasRef()).toBe(false);
    m.stop();
  });

  it('rejects nonsensical options', () => {
    const fetchToken = async () => issue(1);
    expect(() => new SessionTokenManager({} as SessionTokenManagerOptions)).toThrow(TypeError);
    expect(() => new SessionTokenManager({ fetchToken, minRetryDelayMs: -1 })).toThrow(RangeError);
    expect(() => new SessionTokenManager({ fetchToken, minRetryDelayMs: 5000, maxRetryDelayMs: 1000 })).toThrow(RangeError);
    expect(() => new SessionTokenManager({ fetchToken, maxRetryDelayMs: 2 ** 31 })).toThrow(RangeError);
    expect(() => new SessionTokenManager({ fetchToken, maxRetries: 1.5 })).toThrow(RangeError);
    expect(() => new SessionTokenManager({ fetchToken, maxRetries: Infinity })).not.toThrow();
  });
});

describe('keygate/client: portability', () => {
  it('has no imports at all and uses no Node-only or DOM-only APIs', () => {
    for (const file of ['session-token-manager.ts', 'index.ts']) {
      const text = readFileSync(join(__dirname, '../../../packages/client/src', file), 'utf8');
      const source = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, ''); // code only, not comments
      expect(source).not.toMatch(/^import\s/m);
      expect(source).not.toMatch(/\brequire\(|\bBuffer\b|\bprocess\.|node:|\bwindow\.|\bdocument\./);
      for (const from of source.matchAll(/from '([^']+)'/g)) expect(from[1]).toMatch(/^\.\//);
    }
  });
});
