import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (injectable: tests answer for names they make up). */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

/** Loopback, private, link-local (cloud metadata), shared, benchmarking, multicast and reserved ranges. */
const BLOCKED_V4 = ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24', '192.168.0.0/16', '198.18.0.0/15', '224.0.0.0/4', '240.0.0.0/4'];
const BLOCKED_V6 = ['::/128', '::1/128', '64:ff9b::/96', '100::/64', 'fc00::/7', 'fe80::/10', 'fec0::/10', 'ff00::/8'];

const blocked = new BlockList();
for (const cidr of BLOCKED_V4) blocked.addSubnet(cidr.split('/')[0], Number(cidr.split('/')[1]), 'ipv4');
for (const cidr of BLOCKED_V6) blocked.addSubnet(cidr.split('/')[0], Number(cidr.split('/')[1]), 'ipv6');

/** An IPv4 address an IPv6 one carries (`::ffff:10.0.0.1`), which reaches that IPv4 host. */
function embeddedV4(address: string): string | null {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match ? match[1] : null;
}

export function isBlockedAddress(address: string, family: 4 | 6): boolean {
  const v4 = family === 6 ? embeddedV4(address) : address;
  if (v4) return blocked.check(v4, 'ipv4');
  return blocked.check(address, 'ipv6');
}

export class AddressRefusedError extends Error {
  override name = 'AddressRefusedError';
}

/**
 * Where a webhook may connect. The host is resolved once per attempt and the connection
 * goes to the very address that was checked, so a name that re-resolves between the
 * check and the connection (DNS rebinding) cannot reach an internal address.
 */
export class AddressPolicy {
  constructor(
    private readonly allowPrivate: boolean,
    private readonly resolve: HostResolver = systemResolver,
  ) {}

  /** The address to connect to; AddressRefusedError when any address of the host is internal. */
  async addressFor(hostname: string): Promise<ResolvedAddress> {
    const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
    const literal = isIP(host);
    const addresses: ResolvedAddress[] = literal ? [{ address: host, family: literal === 6 ? 6 : 4 }] : await this.resolve(host).catch(() => []);
    if (addresses.length === 0) throw new AddressRefusedError('the host name does not resolve');
    if (!this.allowPrivate && addresses.some((a) => isBlockedAddress(a.address, a.family))) {
      throw new AddressRefusedError('the host resolves to a loopback, private or link-local address');
    }
    return addresses[0];
  }
}
