import fc from 'fast-check';
import { BASE62, toBase62 } from '../../src/shared/base62';
import { crc32 } from '../../src/shared/crc32';

/** Inputs the fuzz suites generate: credentials, near misses of real keys, hostile JSON. */


export const withChecksum = (text: string) => text + toBase62(crc32(text), 6);
export const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
export const BASE64URL = `${BASE62}-_`;

/** A header value cannot hold CR or LF (that would be another header, or the body). */
export const oneHeaderLine = (s: string) => s.replace(/[\r\n]/g, '');

/** 1,000 to 10,000 characters: a short random unit repeated. */
export const longString = fc
  .tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min: 1_000, max: 10_000 }))
  .map(([unit, n]) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n));

/** Short strings of the characters that trip up parsers, drivers and SQL: controls, NUL, lone surrogates, quotes, wildcards, comments. */
export const nasty = fc.string({
  unit: fc.constantFrom('\u0000', '\u0001', '\u001b', '\u007f', '\u0085', '\u2028', '\ud800', '\udfff', '\ufeff', "'", '"', '\\', '%', '_', ';', '--', '/*', '*/', '$1', '?', 'a', '0', ' '),
  minLength: 1,
  maxLength: 20,
});

export const base62String = (maxLength: number) => fc.string({ unit: fc.constantFrom(...BASE62), maxLength });

/** Strings shaped like keys: a real or fake prefix, a base62 body, sometimes a valid checksum (then only the database can say no). */
export const keyShaped = fc
  .tuple(fc.constantFrom('sk_live_', 'sk_test_', 'pk_live_', 'pk_test_', 'rk_', 'acme_sk_live_', 'SK_LIVE_', 'sk_prod_', ''), base62String(60), fc.boolean())
  .map(([prefix, body, checksum]) => (checksum ? withChecksum(prefix + body) : prefix + body));

/** Strings shaped like JWTs (three base64url segments), with headers that name real and fake algorithms and kids. */
export const jwtShaped = fc
  .tuple(
    fc.record(
      { alg: fc.constantFrom('EdDSA', 'none', 'HS256', 'RS256', ''), typ: fc.constantFrom('session+jwt', 'JWT'), kid: fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 40 }), base62String(20).map((s) => `sig_${s}`)) },
      { requiredKeys: [] },
    ),
    fc.jsonValue({ maxDepth: 2 }),
    fc.string({ unit: fc.constantFrom(...BASE64URL), maxLength: 90 }),
  )
  .map(([header, payload, signature]) => `${b64url(header)}.${b64url(payload)}.${signature}`);

/** Anything a client could put where a credential goes. */
export const anyCredential = fc
  .oneof(
    fc.string(),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.string({ unit: 'binary-ascii', maxLength: 200 }),
    fc.string({ unit: 'grapheme', maxLength: 60 }),
    nasty,
    longString,
    keyShaped,
    jwtShaped,
  )
  .map(oneHeaderLine);

export type Edit =
  | { kind: 'flip' | 'delete' | 'duplicate' | 'swapCase' | 'truncate'; at: number }
  | { kind: 'insert' | 'whitespaceInside'; at: number; text: string }
  | { kind: 'prefix'; prefix: string }
  | { kind: 'prefixWithNewChecksum'; prefix: string }
  | { kind: 'extend'; text: string };

export const KEY_PREFIX = /^(?:[a-z0-9]+_)?(?:(?:pk|sk)_(?:live|test)|rk)_/;
export const PREFIXES = ['sk_live_', 'sk_test_', 'pk_live_', 'pk_test_', 'rk_', 'acme_sk_live_', 'acme_rk_', ''];

/** One near-miss edit of a real key: what a typo, a truncating copy-paste or a guesser produces. */
export const keyEdit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constantFrom('flip' as const, 'delete' as const, 'duplicate' as const, 'swapCase' as const, 'truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...BASE62), fc.string({ unit: 'binary', minLength: 1, maxLength: 2 })) }),
  fc.record({ kind: fc.constant('whitespaceInside' as const), at: fc.nat(), text: fc.constantFrom(' ', '\t', '  ', '\u00a0', '\u200b', '\u3000') }),
  fc.record({ kind: fc.constantFrom('prefix' as const), prefix: fc.constantFrom(...PREFIXES) }),
  fc.record({ kind: fc.constantFrom('prefixWithNewChecksum' as const), prefix: fc.constantFrom(...PREFIXES) }),
  fc.record({ kind: fc.constant('extend' as const), text: fc.oneof(base62String(8), fc.string({ maxLength: 4 })) }),
);

export function applyEdit(value: string, edit: Edit): string {
  if (edit.kind === 'prefix') return edit.prefix + value.replace(KEY_PREFIX, '');
  if (edit.kind === 'prefixWithNewChecksum') return withChecksum(edit.prefix + value.replace(KEY_PREFIX, '').slice(0, -6));
  if (edit.kind === 'extend') return value + edit.text;
  if (value.length === 0) return value;
  const i = edit.at % value.length;
  const ch = value[i];
  switch (edit.kind) {
    case 'flip': {
      const at = BASE62.indexOf(ch);
      return value.slice(0, i) + (at < 0 ? 'A' : BASE62[(at + 1) % BASE62.length]) + value.slice(i + 1);
    }
    case 'delete':
      return value.slice(0, i) + value.slice(i + 1);
    case 'duplicate':
      return value.slice(0, i) + ch + value.slice(i);
    case 'swapCase': {
      const swapped = ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase();
      return value.slice(0, i) + (swapped === ch ? '_' : swapped) + value.slice(i + 1);
    }
    case 'truncate':
      return value.slice(0, i);
    case 'insert':
      return value.slice(0, i) + edit.text + value.slice(i);
    case 'whitespaceInside': {
      const j = 1 + (edit.at % Math.max(1, value.length - 1));
      return value.slice(0, j) + edit.text + value.slice(j);
    }
  }
}

export const edits = (maxLength = 3) => fc.array(keyEdit, { minLength: 1, maxLength });


/** JSON values a careless or hostile client sends in place of the right one. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 53, -(2 ** 53), Number.MAX_VALUE, -Number.MAX_VALUE, 1e-300, 0.5, -1, 0),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 80 }),
  nasty,
  nasty.map((s) => `key_${s}`),
  longString,
  fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }),
  fc.array(fc.string(), { maxLength: 5 }),
  fc.integer({ min: 10, max: 60 }).map((depth) => nest(depth)),
);

export function nest(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

/** Mostly the right kind of value, sometimes a hostile one. */
export const usually = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: hostileJson });

/** Free text of the right type: mostly plain, sometimes made of the characters that trip drivers up. */
export const text = (maxLength: number, minLength = 0) => fc.oneof({ weight: 3, arbitrary: fc.string({ minLength, maxLength }) }, { weight: 1, arbitrary: nasty });

/** Anything a client could put where a session token goes; `realToken` gives the real one to forge from. */
export const anyToken = (realToken: () => string) =>
  fc.oneof(
    fc.string({ minLength: 1 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }),
    fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 300 }),
    nasty,
    longString,
    jwtShaped,
    keyShaped.filter((s) => s.length > 0),
    // A real header (real kid) over a forged payload and signature.
    fc.tuple(fc.jsonValue({ maxDepth: 2 }), fc.string({ unit: fc.constantFrom(...BASE64URL), maxLength: 90 })).map(([payload, sig]) => `${realToken().split('.')[0]}.${b64url(payload)}.${sig}`),
    // alg "none": a header and payload of the real token with the signature stripped.
    fc.constant(null).map(() => `${b64url({ alg: 'none', typ: 'session+jwt' })}.${realToken().split('.')[1]}.`),
  );
