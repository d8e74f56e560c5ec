import { describe, expect, it } from 'vitest';
import { AddressPolicy, AddressRefusedError, isBlockedAddress } from '../../src/modules/webhooks/address-policy';

describe('webhook address policy', () => {
  it.each([
    ['127.0.0.1', 4],
    ['10.1.2.3', 4],
    ['172.16.0.1', 4],
    ['192.168.0.10', 4],
    ['169.254.169.254', 4],
    ['100.64.0.1', 4],
    ['0.0.0.0', 4],
    ['::1', 6],
    ['fe80::1', 6],
    ['fd00:ec2::254', 6],
    ['::ffff:10.0.0.1', 6],
  ] as const)('blocks %s', (address, family) => {
    expect(isBlockedAddress(address, family)).toBe(true);
  });

  it.each([
    ['93.184.216.34', 4],
    ['8.8.8.8', 4],
    ['2606:4700:4700::1111', 6],
  ] as const)('lets %s through', (address, family) => {
    expect(isBlockedAddress(address, family)).toBe(false);
  });

  describe('IPv6 forms that carry a refused IPv4 address are refused (issue 20 F7)', () => {
    it.each([
      ['IPv4-compatible loopback', '::127.0.0.1'],
      ['IPv4-compatible, in hex', '::7f00:1'],
      ['IPv4-compatible public address (the whole deprecated range)', '::808:808'],
      ['the unspecified address', '::'],
      ['IPv4-mapped metadata address', '::ffff:169.254.169.254'],
      ['IPv4-translated (SIIT) loopback', '::ffff:0:127.0.0.1'],
      ['NAT64 of a private address', '64:ff9b::10.0.0.1'],
      ['local-use NAT64 (RFC 8215)', '64:ff9b:1::808:808'],
      ['6to4 of loopback', '2002:7f00:1::'],
      ['6to4 of a private address, host bits set', '2002:c0a8:0001:1::1'],
      ['Teredo whose client (inverted last 32 bits) is loopback', '2001:0:4136:e378:8000:63bf:80ff:fffe'],
      ['Teredo whose server (bits 32-63) is private', '2001:0:a00:1::1'],
      ['Teredo written in capitals', '2001:0:4136:E378:8000:63BF:80FF:FFFE'],
      ['a scoped (zone) address', 'fe80::1%eth0'],
    ])('%s: %s', (_label, address) => {
      expect(isBlockedAddress(address, 6)).toBe(true);
    });

    it.each([
      ['NAT64 of a public address', '64:ff9b::93.184.216.34'],
      ['IPv4-mapped public address', '::ffff:8.8.8.8'],
      ['6to4 of a public address', '2002:5db8:d822::1'],
      ['Teredo with a public server and a public client', '2001:0:4136:e378:8000:63bf:a247:27dd'],
    ])('%s is judged by the IPv4 address it carries and let through: %s', (_label, address) => {
      expect(isBlockedAddress(address, 6)).toBe(false);
    });

    it('refuses the forms as URL hosts too, where they arrive normalised ([::7f00:1])', async () => {
      const policy = new AddressPolicy(false, async () => []);
      for (const url of ['http://[::127.0.0.1]/', 'http://[2002:7f00:1::]/', 'http://[::ffff:0:7f00:1]/', 'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/']) {
        await expect(policy.addressFor(new URL(url).hostname), url).rejects.toBeInstanceOf(AddressRefusedError);
      }
    });
  });

  it('refuses a host when any of its addresses is internal, and answers the address it checked', async () => {
    const policy = new AddressPolicy(false, async (name) =>
      name === 'mixed.test' ? [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.1', family: 4 }] : [{ address: '93.184.216.34', family: 4 }],
    );
    await expect(policy.addressFor('mixed.test')).rejects.toBeInstanceOf(AddressRefusedError);
    await expect(policy.addressFor('fine.test')).resolves.toEqual({ address: '93.184.216.34', family: 4 });
    await expect(policy.addressFor('[::1]')).rejects.toBeInstanceOf(AddressRefusedError);
  });

  it('allows internal addresses when told to, but still needs the name to resolve', async () => {
    const policy = new AddressPolicy(true, async () => []);
    await expect(policy.addressFor('127.0.0.1')).resolves.toEqual({ address: '127.0.0.1', family: 4 });
    await expect(policy.addressFor('nowhere.test')).rejects.toBeInstanceOf(AddressRefusedError);
  });
});
