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
/**
 * IPv6 ranges refused whatever they carry: IPv4-compatible addresses (`::a.b.c.d`, deprecated;
 * `::` and `::1` included), discard-only, local-use NAT64, unique-local, link-local, site-local, multicast.
 */
const BLOCKED_V6 = ['::/96', '100::/64', '64:ff9b:1::/48', 'fc00::/7', 'fe80::/10', 'fec0::/10', 'ff00::/8'];

const blockListOf = (cidrs: string[], family: 'ipv4' | 'ipv6'): BlockList => {
  const list = new BlockList();
  for (const cidr of cidrs) list.addSubnet(cidr.split('/')[0], Number(cidr.split('/')[1]), family);
  return list;
};
const blockedV4 = blockListOf(BLOCKED_V4, 'ipv4');
const blockedV6 = blockListOf(BLOCKED_V6, 'ipv6');

/** The eight 16-bit groups of a valid IPv6 address (`isIP(address) === 6`, no zone). */
function groupsOf(address: string): number[] {
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  const hex = dotted ? `${address.slice(0, dotted.index)}${((+dotted[1] << 8) | +dotted[2]).toString(16)}:${((+dotted[3] << 8) | +dotted[4]).toString(16)}` : address;
  const [head, tail] = hex.split('::');
  const part = (text: string | undefined) => (text ? text.split(':').map((g) => parseInt(g, 16)) : []);
  const [before, after] = [part(head), part(tail)];
  return [...before, ...Array<number>(8 - before.length - after.length).fill(0), ...after];
}

const v4Of = (high: number, low: number) => [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');

/**
 * IPv6 forms that carry an IPv4 address and reach that IPv4 host (through the kernel, a
 * NAT64 gateway, a 6to4 or Teredo relay): each is judged by the IPv4 addresses it carries.
 */
const EMBEDDING: { prefix: BlockList; carried: (g: number[]) => string[] }[] = [
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d), NAT64 (64:ff9b::a.b.c.d): the last 32 bits.
  { prefix: blockListOf(['::ffff:0:0/96', '::ffff:0:0:0/96', '64:ff9b::/96'], 'ipv6'), carried: (g) => [v4Of(g[6], g[7])] },
  // 6to4 (2002:AABB:CCDD::/48): bits 16-47.
  { prefix: blockListOf(['2002::/16'], 'ipv6'), carried: (g) => [v4Of(g[1], g[2])] },
  // Teredo (2001:0::/32): the server in bits 32-63, the client in the last 32 bits, inverted.
  { prefix: blockListOf(['2001::/32'], 'ipv6'), carried: (g) => [v4Of(g[2], g[3]), v4Of(g[6] ^ 0xffff, g[7] ^ 0xffff)] },
];

export function isBlockedAddress(address: string, family: 4 | 6): boolean {
  if (family === 4) return blockedV4.check(address, 'ipv4');
  // A zone (fe80::1%eth0) names a local interface; BlockList would not match it.
  if (address.includes('%') || blockedV6.check(address, 'ipv6')) return true;
  const form = EMBEDDING.find((e) => e.prefix.check(address, 'ipv6'));
  return form !== undefined && form.carried(groupsOf(address.toLowerCase())).some((v4) => blockedV4.check(v4, 'ipv4'));
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
