import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { TrustProxy } from '../../src/config';
import { forwardedAddress, proxyTrust } from '../../src/modules/http/request';

/**
 * KEYGATE_TRUST_PROXY (docs/configuration.md; issue 20 F5): which address a request comes
 * from, and which address its failed authentications are counted against.
 */

/** Only what proxyTrust reads of a request: the socket's peer and the headers. */
const request = (peer: string, forwardedFor?: string) =>
  ({ socket: { remoteAddress: peer }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage;

const LOOPBACK_PROXY: TrustProxy = { kind: 'list', entries: ['127.0.0.1', '10.0.0.0/8'] };
const addressOf = (trust: TrustProxy, peer: string, forwardedFor?: string) => proxyTrust(trust).clientAddress(request(peer, forwardedFor));

describe('an X-Forwarded-For entry', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    [' 203.0.113.9 ', '203.0.113.9'],
    ['198.51.100.1:5555', '198.51.100.1'],
    ['2001:db8::1', '2001:db8::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['[::ffff:203.0.113.9]:80', '203.0.113.9'],
  ])('%j is the address %s (a port does not change whose address it is)', (entry, address) => {
    expect(forwardedAddress(entry)).toBe(address);
  });

  it.each(['unknown', '', '_hidden', '203.0.113.9:port', '[203.0.113.9]:80', '0x7f.1', '01.2.3.4', 'fe80::1%eth0', '203.0.113.9:123456', '2001:db8::1:443x'])('%j is no address', (entry) => {
    expect(forwardedAddress(entry)).toBeNull();
  });
});

describe('with a list of trusted proxies', () => {
  it('reads from the right while entries are listed proxies: the first that is not is the client, whatever the client put to its left', () => {
    expect(addressOf(LOOPBACK_PROXY, '127.0.0.1', '1.1.1.1, 203.0.113.9, 10.1.2.3')).toEqual({ ip: '203.0.113.9', throttleIp: '203.0.113.9' });
  });

  it.each([
    ['an IPv4 address with a port', '203.0.113.9, 198.51.100.1:5555', '198.51.100.1'],
    ['a bracketed IPv6 address with a port', '203.0.113.9, [2001:db8::7]:5555', '2001:db8::7'],
    ['a listed proxy with a port, then the client', '198.51.100.1, 10.0.0.2:8080', '198.51.100.1'],
  ])('takes %s as that address (the client cannot hide behind it)', (_label, header, ip) => {
    expect(addressOf(LOOPBACK_PROXY, '127.0.0.1', header)).toEqual({ ip, throttleIp: ip });
  });

  it.each([
    ['unknown', '203.0.113.9, unknown'],
    ['garbage', '203.0.113.9, not-an-address'],
    ['an empty entry', '203.0.113.9, , 10.0.0.2'],
  ])('ends the chain at %s: the client is unknown, never an entry to its left', (_label, header) => {
    expect(addressOf(LOOPBACK_PROXY, '127.0.0.1', header)).toEqual({ ip: null, throttleIp: null });
  });

  it('believes nothing a peer that is not listed sends', () => {
    expect(addressOf(LOOPBACK_PROXY, '192.0.2.1', '203.0.113.9')).toEqual({ ip: '192.0.2.1', throttleIp: '192.0.2.1' });
  });

  it('takes the peer when a listed proxy sends no header (or an empty one)', () => {
    expect(addressOf(LOOPBACK_PROXY, '::ffff:127.0.0.1')).toEqual({ ip: '127.0.0.1', throttleIp: '127.0.0.1' });
    expect(addressOf(LOOPBACK_PROXY, '127.0.0.1', ' ')).toEqual({ ip: '127.0.0.1', throttleIp: '127.0.0.1' });
  });
});

describe('with KEYGATE_TRUST_PROXY=true', () => {
  const ALL: TrustProxy = { kind: 'all' };

  it('the left-most entry is the client; failures are counted against the right-most, the address the nearest proxy saw', () => {
    expect(addressOf(ALL, '10.0.0.2', '203.0.113.9, 198.51.100.1')).toEqual({ ip: '203.0.113.9', throttleIp: '198.51.100.1' });
    expect(addressOf(ALL, '10.0.0.2', '203.0.113.77, 198.51.100.1:4000')).toEqual({ ip: '203.0.113.77', throttleIp: '198.51.100.1' });
  });

  it('one entry is both; no header means the peer', () => {
    expect(addressOf(ALL, '10.0.0.2', '198.51.100.1')).toEqual({ ip: '198.51.100.1', throttleIp: '198.51.100.1' });
    expect(addressOf(ALL, '10.0.0.2')).toEqual({ ip: '10.0.0.2', throttleIp: '10.0.0.2' });
  });

  it('an entry that is no address ends the chain there', () => {
    expect(addressOf(ALL, '10.0.0.2', 'unknown, 198.51.100.1')).toEqual({ ip: null, throttleIp: '198.51.100.1' });
    expect(addressOf(ALL, '10.0.0.2', '203.0.113.9, unknown')).toEqual({ ip: null, throttleIp: null });
  });
});

describe('without KEYGATE_TRUST_PROXY', () => {
  it('the peer is the client, whatever the header says', () => {
    expect(addressOf({ kind: 'none' }, '192.0.2.1', '203.0.113.9')).toEqual({ ip: '192.0.2.1', throttleIp: '192.0.2.1' });
  });
});

describe('the host the client asked for', () => {
  const hostOf = (trust: TrustProxy, peer: string, headers: Record<string, string>) => proxyTrust(trust).host({ socket: { remoteAddress: peer }, headers } as unknown as IncomingMessage);

  it('is a trusted proxy\'s X-Forwarded-Host (its first entry), else the Host header', () => {
    expect(hostOf(LOOPBACK_PROXY, '127.0.0.1', { host: 'keygate:4000', 'x-forwarded-host': 'api.shop.example, inner.example' })).toBe('api.shop.example');
    expect(hostOf(LOOPBACK_PROXY, '127.0.0.1', { host: 'keygate:4000' })).toBe('keygate:4000');
  });

  it('is the Host header when the peer is not trusted, whatever X-Forwarded-Host says', () => {
    expect(hostOf(LOOPBACK_PROXY, '192.0.2.1', { host: '[2001:db8::1]:4000', 'x-forwarded-host': 'admin.example' })).toBe('[2001:db8::1]:4000');
    expect(hostOf({ kind: 'none' }, '127.0.0.1', { host: 'keygate', 'x-forwarded-host': 'admin.example' })).toBe('keygate');
  });

  it('is null when what would be taken does not read as a host', () => {
    expect(hostOf(LOOPBACK_PROXY, '127.0.0.1', { host: 'keygate', 'x-forwarded-host': 'a b/c' })).toBeNull();
    expect(hostOf({ kind: 'none' }, '127.0.0.1', {})).toBeNull();
  });
});
