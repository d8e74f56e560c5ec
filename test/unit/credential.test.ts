import { describe, expect, it } from 'vitest';
import { AuthReason } from '../../src/errors';
import { requestCredential } from '../../src/modules/auth/credential';

describe('requestCredential', () => {
  const bearer = (authorization: string | undefined) => requestCredential({ authorization, apiKey: undefined });
  it('reads Authorization: Bearer <key>, case-insensitively', () => {
    expect(bearer('Bearer abc')).toEqual({ ok: true, key: 'abc' });
    expect(bearer('bearer abc')).toEqual({ ok: true, key: 'abc' });
  });
  it('reads X-Api-Key when there is no Authorization header; Authorization wins when both are sent', () => {
    expect(requestCredential({ authorization: undefined, apiKey: ' abc ' })).toEqual({ ok: true, key: 'abc' });
    expect(requestCredential({ authorization: '', apiKey: 'abc' })).toEqual({ ok: true, key: 'abc' });
    expect(requestCredential({ authorization: 'Bearer one', apiKey: 'two' })).toEqual({ ok: true, key: 'one' });
    expect(requestCredential({ authorization: undefined, apiKey: ' ' })).toEqual({ ok: false, reason: AuthReason.KEY_MISSING });
  });
  it('reports a missing header as KEY_MISSING and another scheme as KEY_MALFORMED with a hint naming Bearer', () => {
    expect(bearer(undefined)).toEqual({ ok: false, reason: AuthReason.KEY_MISSING });
    expect(bearer('')).toEqual({ ok: false, reason: AuthReason.KEY_MISSING });
    expect(bearer('Basic dXNlcjpwYXNz')).toEqual({ ok: false, reason: AuthReason.KEY_MALFORMED, hint: 'The Authorization header must be "Bearer <key>" (or send X-Api-Key: <key>)' });
    expect(bearer('Bearer a b')).toMatchObject({ ok: false, reason: AuthReason.KEY_MALFORMED });
  });
  it('hints at the missing scheme when the header holds only the key, without repeating it', () => {
    const result = bearer('sk_live_abcdefghijklmnopqrstuvwxyz0123456789');
    expect(result).toEqual({ ok: false, reason: AuthReason.KEY_MALFORMED, hint: 'The Authorization header has no "Bearer " before the key: send Authorization: Bearer <key> (or X-Api-Key: <key>)' });
  });
});
