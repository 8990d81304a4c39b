/**
 * The client address as a key for per-address limits. IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`)
 * become plain IPv4, and IPv6 addresses are cut to their /64 prefix: one home or office usually
 * gets a whole /64, so keying on the full address would give an attacker 2^64 fresh identities.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** Expands `::` and returns the eight 16-bit groups of an IPv6 address, or undefined. */
function ipv6Groups(address: string): number[] | undefined {
  const [head = '', tail, ...rest] = address.split('::');
  if (rest.length > 0) return undefined;
  const parse = (part: string) => (part === '' ? [] : part.split(':'));
  const headParts = parse(head);
  const tailParts = tail === undefined ? [] : parse(tail);
  const last = tailParts.at(-1) ?? headParts.at(-1);
  // An embedded IPv4 tail (`::ffff:1.2.3.4`) stands for two groups.
  const embedded = last !== undefined && isIPv4(last) ? last : undefined;
  const toGroups = (parts: string[]) =>
    parts.flatMap((part) => {
      if (part === embedded) {
        const [a = 0, b = 0, c = 0, d = 0] = part.split('.').map(Number);
        return [(a << 8) | b, (c << 8) | d];
      }
      return [Number.parseInt(part, 16)];
    });
  const headGroups = toGroups(headParts);
  const tailGroups = toGroups(tailParts);
  const missing = 8 - headGroups.length - tailGroups.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return undefined;
  const groups = [...headGroups, ...new Array<number>(missing).fill(0), ...tailGroups];
  return groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff) ? groups : undefined;
}

/** The key of a client address: IPv4 as is, IPv6 as its /64 (`2001:db8:0:1::/64`); anything else unchanged. */
export function clientAddressKey(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  const bare = address.replace(/%.*$/, '');
  if (isIPv4(bare)) return bare;
  if (!isIPv6(bare)) return bare;
  const groups = ipv6Groups(bare.toLowerCase());
  if (!groups) return bare;
  const isMappedIpv4 = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (isMappedIpv4) {
    const [, , , , , , high = 0, low = 0] = groups;
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}
