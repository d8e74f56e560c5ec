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
