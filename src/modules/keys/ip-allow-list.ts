import { BlockList, isIP } from 'node:net';
import { BadInputError } from '../../errors';

export const MAX_ALLOWED_IPS = 100;

function familyOf(address: string): 'ipv4' | 'ipv6' | null {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : null;
}

/** Adds one "address" or "address/prefix" entry; false if it is not one. */
function addEntry(list: BlockList, entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const family = familyOf(address);
  if (!family || rest.length > 0) return false;
  if (prefix === undefined) {
    list.addAddress(address, family);
    return true;
  }
  const bits = Number(prefix);
  if (!/^\d{1,3}$/.test(prefix) || bits > (family === 'ipv4' ? 32 : 128)) return false;
  list.addSubnet(address, bits, family);
  return true;
}

/** Validates an allow-list (IPv4/IPv6 addresses and CIDR ranges); returns it trimmed, lowercased, without duplicates. */
export function normalizeAllowedIps(entries: string[], field = 'allowedIps'): string[] {
  if (entries.length > MAX_ALLOWED_IPS) throw new BadInputError(`${field} may hold at most ${MAX_ALLOWED_IPS} entries`, field);
  const probe = new BlockList();
  const normalized = entries.map((raw) => raw.trim().toLowerCase());
  for (const entry of normalized) {
    // The entry is named (shortened: it is the caller's own input), so a long list's one typo is found at once.
    const shown = entry.length > 64 ? `${entry.slice(0, 61)}…` : entry;
    if (entry.length > 64 || !addEntry(probe, entry)) throw new BadInputError(`${shown} is not an IP address or CIDR range (e.g. 203.0.113.0/24, 2001:db8::/32)`, field);
  }
  return [...new Set(normalized)];
}

/**
 * The matcher of a stored allow-list, or null when the key may be used from anywhere.
 * Node's BlockList does the matching, IPv4-mapped IPv6 addresses (::ffff:a.b.c.d)
 * included in both directions.
 */
export function ipAllowListOf(entries: string[]): BlockList | null {
  if (entries.length === 0) return null;
  const list = new BlockList();
  for (const entry of entries) addEntry(list, entry);
  return list;
}

/** Whether a client address falls in the list; an unknown address never does. */
export function ipAllowed(list: BlockList, ip: string | null): boolean {
  const family = ip === null ? null : familyOf(ip);
  return family !== null && list.check(ip as string, family);
}
