import { sourceKey } from '@vcd/http';

export { sourceKey };

/**
 * The client's address for throttling, as the gateway determined it.
 *
 * Only the gateway's `x-forwarded-for` is believed (any other caller could write anything). The gateway drops
 * whatever X-Forwarded-For the client sent and writes the one address it computed (the socket peer, or the
 * right-most entry its trusted proxies added); daprd may append its own hop(s) behind it on the way, so the first
 * entry is the gateway's. A client cannot add an entry in front of it.
 *
 * An IPv6 client is keyed by its /64: one subscriber usually holds a whole /64 and could otherwise rotate
 * addresses to get fresh budgets. IPv4-mapped IPv6 addresses count as the IPv4 address. Anything else (no
 * header, not an address, not from the gateway) shares one bucket, "unknown", which fails safe (stricter).
 */
export function clientIp(forwardedFor: string | undefined, fromGateway: boolean): string {
  if (!fromGateway || !forwardedFor) return 'unknown';
  const first = forwardedFor.split(',')[0]!.trim();
  return sourceKey(first) ?? 'unknown';
}

