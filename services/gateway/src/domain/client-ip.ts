/**
 * The client's address: the socket peer, unless that peer is a trusted proxy, in which case the right-most
 * X-Forwarded-For entry that is not itself a trusted proxy (entries further left are client-controlled).
 */
export function clientIp(socketAddress: string | undefined, forwardedFor: string | undefined, trustedProxies: TrustedProxies): string {
  const peer = normalize(socketAddress ?? 'unknown');
  if (!trustedProxies.has(peer) || !forwardedFor) return peer;
  const hops = forwardedFor.split(',').map((h) => normalize(h.trim())).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!trustedProxies.has(hops[i]!)) return hops[i]!;
  }
  return hops[0] ?? peer;
}

const normalize = (ip: string) => (ip.startsWith('::ffff:') ? ip.slice(7) : ip);

export interface TrustedProxies {
  has(ip: string): boolean;
}

const ipv4 = (ip: string): number | undefined => {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
};

/**
 * Exact addresses and IPv4 ranges (CIDR, e.g. 172.16.0.0/12 for Docker's bridge networks, whose gateway
 * address a compose project cannot know in advance). A malformed entry stops the gateway at start-up.
 */
export function parseTrustedProxies(list: string): TrustedProxies {
  const exact = new Set<string>();
  const ranges: { base: number; mask: number }[] = [];
  for (const raw of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    const cidr = /^([^/]+)\/(\d{1,2})$/.exec(raw);
    if (cidr) {
      const base = ipv4(cidr[1]!);
      const bits = Number(cidr[2]);
      if (base === undefined || bits > 32) throw new Error(`TRUSTED_PROXIES: "${raw}" is not an IPv4 range`);
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      ranges.push({ base: (base & mask) >>> 0, mask });
    } else exact.add(normalize(raw));
  }
  return {
    has(ip: string) {
      const addr = normalize(ip);
      if (exact.has(addr)) return true;
      const n = ipv4(addr);
      return n !== undefined && ranges.some((r) => ((n & r.mask) >>> 0) === r.base);
    },
  };
}
