/**
 * A value now, or later. The authentication pipeline answers a cached key synchronously
 * and returns a promise only when a step has to wait (the database, Redis, credits), so
 * the hot path awaits nothing (measured: bench/README.md, Hot path notes).
 */
export type MaybePromise<T> = T | Promise<T>;

/** `f(value)` at once when the value is there, else once it is. */
export function andThen<T, R>(value: MaybePromise<T>, f: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return value instanceof Promise ? value.then(f) : f(value);
}
