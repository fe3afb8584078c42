import { isIP } from 'node:net';

/*
 * One client, one throttling key, the same in the gateway and auth: an IPv4 address as is; an IPv6 address as
 * its /64 (one subscriber usually holds a whole /64 and could otherwise rotate addresses to get fresh budgets);
 * an IPv4-mapped IPv6 address as the IPv4 address.
 */

/** The throttling key of one address: IPv4 as is, IPv6 as its /64 prefix; undefined when it is no address. */
export function sourceKey(address: string): string | undefined {
  if (address.length > 64) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped && isIP(mapped[1]!) === 4) return mapped[1]!;
  const kind = isIP(address);
  if (kind === 4) return address;
  if (kind !== 6 || address.includes('%')) return undefined;
  return `${expandIpv6(address).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, lower-case without leading zeros (a trailing IPv4 part converted). */
function expandIpv6(address: string): string[] {
  let text = address.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => parseInt(g, 16).toString(16));
}
