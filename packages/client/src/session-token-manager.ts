/**
 * Client-side session-token manager: keeps a Keygate session token fresh for an app.
 *
 * Zero runtime dependencies and no Node-only or DOM-only APIs (no `node:` imports, no Buffer,
 * no DOM types): it runs in Node >= 20 and in browsers. Time comes from `Date.now()` and timers
 * from `globalThis.setTimeout`, both looked up on every use, so `vi.useFakeTimers()` covers it.
 */

/** What the app's `fetchToken()` resolves to: the server's SessionToken shape. */
export interface FetchedSessionToken {
  token: string;
  tokenId?: string | null;
  /** ISO-8601 string or Date. */
  expiresAt: string | Date;
  /** ISO-8601 string or Date; the server puts it 80% into the lifetime. */
  refreshAt: string | Date;
}

/** A validated token. `refreshAt` is clamped to `expiresAt`. */
export interface SessionTokenInfo {
  token: string;
  tokenId?: string;
  expiresAt: Date;
  refreshAt: Date;
}

export interface SessionTokenErrorEvent {
  error: Error;
  /** 1 for the first attempt after the last success, 2 for the first retry, ... */
  attempt: number;
  /** Set when a background retry is scheduled: its delay in ms. Absent when none will follow. */
  retryInMs?: number;
}

export interface SessionTokenManagerEvents {
  /** At refreshAt, just before the background refresh starts. */
  expiring: { expiresAt: Date };
  /** Whenever a new token is installed (the first one included). Carries the token value. */
  refreshed: SessionTokenInfo;
  /** A fetch failed or returned an invalid shape. Never thrown; no listener is needed. */
  error: SessionTokenErrorEvent;
}

export type SessionTokenManagerEventName = keyof SessionTokenManagerEvents;
export type SessionTokenManagerListener<E extends SessionTokenManagerEventName> = (payload: SessionTokenManagerEvents[E]) => void;

export interface SessionTokenManagerOptions {
  /** The app's own backend call that issues a session token. */
  fetchToken: () => Promise<FetchedSessionToken>;
  /** Base delay of the first background retry (default 1000). Retries never wait less. */
  minRetryDelayMs?: number;
  /** Cap on any retry delay (default 30000). */
  maxRetryDelayMs?: number;
  /** Background retries after a failed refresh (default Infinity, bounded by the token's expiry). */
  maxRetries?: number;
  /** Jitter source in [0, 1) (default Math.random). */
  random?: () => number;
}

export type SessionTokenManagerErrorCode = 'INVALID_TOKEN_RESPONSE' | 'STOPPED';

export class SessionTokenManagerError extends Error {
  override readonly name = 'SessionTokenManagerError';
  constructor(
    readonly code: SessionTokenManagerErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The largest delay setTimeout honours (browsers and Node fire at once beyond it). */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

// Minimal timer surface shared by Node and browsers, so no DOM or Node types are needed.
type TimerHandle = unknown;
interface TimerHost {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}
const host = (): TimerHost => globalThis as unknown as TimerHost;

const invalid = (problem: string) =>
  new SessionTokenManagerError('INVALID_TOKEN_RESPONSE', `SessionTokenManager: fetchToken() result ${problem}`);
const stoppedError = () => new SessionTokenManagerError('STOPPED', 'SessionTokenManager: stopped');

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error('SessionTokenManager: fetchToken() rejected with a non-Error value', { cause: e });
}

// Messages name the field and the expected form, never a value: a value may be the token.
function parseDate(value: unknown, field: string): Date {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' && value !== '' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw invalid(`has a missing or unparseable "${field}" (expected an ISO-8601 string or a Date)`);
  return new Date(ms);
}

function parseToken(raw: unknown, now: number): SessionTokenInfo {
  if (typeof raw !== 'object' || raw === null) throw invalid('is not an object');
  const { token, tokenId, expiresAt: rawExpiresAt, refreshAt: rawRefreshAt } = raw as Record<string, unknown>;
  if (typeof token !== 'string' || token === '') throw invalid('has a missing or empty "token" (expected a non-empty string)');
  if (tokenId !== undefined && tokenId !== null && typeof tokenId !== 'string') throw invalid('has a non-string "tokenId"');
  const expiresAt = parseDate(rawExpiresAt, 'expiresAt');
  const refreshAt = parseDate(rawRefreshAt, 'refreshAt');
  if (expiresAt.getTime() <= now) throw invalid('is already expired ("expiresAt" is not in the future; is the client clock ahead?)');
  if (refreshAt.getTime() > expiresAt.getTime()) refreshAt.setTime(expiresAt.getTime()); // clamp
  return typeof tokenId === 'string' ? { token, tokenId, expiresAt, refreshAt } : { token, expiresAt, refreshAt };
}

export class SessionTokenManager {
  private readonly fetchToken: () => Promise<FetchedSessionToken>;
  private readonly minRetryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly maxRetries: number;
  private readonly random: () => number;
  private readonly listeners: { [E in SessionTokenManagerEventName]: Set<SessionTokenManagerListener<E>> } = { expiring: new Set(), refreshed: new Set(), error: new Set() };
  private current: SessionTokenInfo | null = null;
  private inflight: Promise<SessionTokenInfo> | null = null;
  private timer: { handle: TimerHandle } | null = null;
  private failures = 0; // consecutive failed fetches
  private pastRefreshes = 0; // consecutive tokens whose refreshAt had already passed
  private stopped = false;

  constructor(options: SessionTokenManagerOptions) {
    const { fetchToken, minRetryDelayMs = 1000, maxRetryDelayMs = 30_000, maxRetries = Infinity, random = Math.random } = options;
    if (typeof fetchToken !== 'function') throw new TypeError('SessionTokenManager: fetchToken must be a function');
    if (!(Number.isFinite(minRetryDelayMs) && minRetryDelayMs >= 0)) throw new RangeError('SessionTokenManager: minRetryDelayMs must be a finite number >= 0');
    if (!(Number.isFinite(maxRetryDelayMs) && maxRetryDelayMs >= minRetryDelayMs && maxRetryDelayMs <= MAX_TIMER_DELAY_MS)) {
      throw new RangeError('SessionTokenManager: maxRetryDelayMs must be >= minRetryDelayMs and <= 2^31-1');
    }
    if (!(maxRetries >= 0 && (Number.isInteger(maxRetries) || maxRetries === Infinity))) throw new RangeError('SessionTokenManager: maxRetries must be an integer >= 0 or Infinity');
    this.fetchToken = fetchToken;
    this.minRetryDelayMs = minRetryDelayMs;
    this.maxRetryDelayMs = maxRetryDelayMs;
    this.maxRetries = maxRetries;
    this.random = random;
  }

  /** A token that is unexpired now. Fetches lazily; concurrent callers share one fetch. */
  async getToken(): Promise<string> {
    if (this.stopped) throw stoppedError();
    const current = this.current;
    if (current && Date.now() < current.expiresAt.getTime()) return current.token;
    return (await this.fetch(false)).token;
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends SessionTokenManagerEventName>(event: E, listener: SessionTokenManagerListener<E>): () => void {
    if (!Object.hasOwn(this.listeners, event)) throw new TypeError('SessionTokenManager: unknown event (expected expiring, refreshed or error)');
    const set: Set<SessionTokenManagerListener<E>> = this.listeners[event];
    const wrapped = (payload: SessionTokenManagerEvents[E]) => listener(payload); // a fresh identity: subscribing twice counts twice
    set.add(wrapped);
    return () => void set.delete(wrapped);
  }

  /** Clears timers and forgets the token; getToken() rejects from now on, in-flight callers too. */
  stop(): void {
    this.stopped = true;
    this.current = null;
    this.clearTimer();
  }

  /** stop(), and drops every listener. */
  dispose(): void {
    this.stop();
    for (const set of Object.values(this.listeners)) set.clear();
  }

  private fetch(background: boolean): Promise<SessionTokenInfo> {
    if (this.inflight) return this.inflight;
    const attempt = this.failures + 1;
    const promise = (async () => parseToken(await this.fetchToken(), Date.now()))().then(
      (info) => {
        this.inflight = null;
        if (this.stopped) throw stoppedError();
        this.failures = 0;
        this.install(info);
        return info;
      },
      (e: unknown) => {
        this.inflight = null;
        if (this.stopped) throw stoppedError();
        const error = toError(e);
        this.failures = attempt;
        this.fail(error, attempt, background);
        throw error;
      },
    );
    promise.catch(() => {}); // background refreshes have no awaiting caller; failures go to 'error'
    return (this.inflight = promise);
  }

  private install(info: SessionTokenInfo): void {
    this.current = info;
    const now = Date.now();
    let refreshAt = info.refreshAt.getTime();
    if (refreshAt <= now) {
      // Refresh at once, but back off if tokens keep arriving already due (e.g. a skewed clock).
      refreshAt = Math.min(now + (this.pastRefreshes === 0 ? 0 : this.backoff(this.pastRefreshes)), info.expiresAt.getTime());
      this.pastRefreshes++;
    } else {
      this.pastRefreshes = 0;
    }
    this.schedule(refreshAt, () => this.refresh());
    this.emit('refreshed', { ...info, expiresAt: new Date(info.expiresAt), refreshAt: new Date(info.refreshAt) });
  }

  private refresh(): void {
    const current = this.current;
    if (!current) return;
    this.emit('expiring', { expiresAt: new Date(current.expiresAt) });
    if (!this.stopped) void this.fetch(true);
  }

  private fail(error: Error, attempt: number, background: boolean): void {
    const current = this.current;
    let retryInMs: number | undefined;
    if (background && current && attempt <= this.maxRetries) {
      const delay = this.backoff(attempt);
      if (Date.now() + delay < current.expiresAt.getTime()) retryInMs = delay; // retry only while the token lives
    }
    this.emit('error', retryInMs === undefined ? { error, attempt } : { error, attempt, retryInMs });
    if (retryInMs !== undefined) this.schedule(Date.now() + retryInMs, () => void this.fetch(true));
  }

  /** Delay before retry n: uniform in [upper/2, upper], upper = min(max, min * 2^n), never below min. */
  private backoff(n: number): number {
    const upper = Math.min(this.maxRetryDelayMs, this.minRetryDelayMs * 2 ** Math.min(n, 52));
    const lower = Math.max(this.minRetryDelayMs, upper / 2);
    return Math.round(lower + Math.min(1, Math.max(0, this.random())) * (upper - lower));
  }

  /** One timer at a time, unref'd where possible; delays beyond 2^31-1 ms run in chunks. */
  private schedule(at: number, run: () => void): void {
    this.clearTimer();
    if (this.stopped) return;
    const delay = Math.max(0, at - Date.now());
    const timer = {
      handle: host().setTimeout(() => {
        if (this.timer !== timer) return;
        this.timer = null;
        if (delay > MAX_TIMER_DELAY_MS) this.schedule(at, run);
        else run();
      }, Math.min(delay, MAX_TIMER_DELAY_MS)),
    };
    const handle = timer.handle as { unref?: unknown } | null;
    if (typeof handle === 'object' && handle !== null && typeof handle.unref === 'function') (handle as { unref(): void }).unref();
    this.timer = timer;
  }

  private clearTimer(): void {
    if (this.timer) host().clearTimeout(this.timer.handle);
    this.timer = null;
  }

  private emit<E extends SessionTokenManagerEventName>(event: E, payload: SessionTokenManagerEvents[E]): void {
    const set: Set<SessionTokenManagerListener<E>> = this.listeners[event];
    for (const listener of [...set]) {
      try {
        listener(payload);
      } catch {
        // A listener's bug must not break the refresh cycle or surface as an unhandled error.
      }
    }
  }
}
