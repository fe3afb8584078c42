/**
 * The client's address: the socket peer, unless that peer is a trusted proxy, in which case the right-most
 * X-Forwarded-For entry that is not itself a trusted proxy (entries further left are client-controlled).
 */
export function clientIp(socketAddress: string | undefined, forwardedFor: string | undefined, trustedProxies: ReadonlySet<string>): string {
  const peer = normalize(socketAddress ?? 'unknown');
  if (!trustedProxies.has(peer) || !forwardedFor) return peer;
  const hops = forwardedFor.split(',').map((h) => normalize(h.trim())).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!trustedProxies.has(hops[i]!)) return hops[i]!;
  }
  return hops[0] ?? peer;
}

const normalize = (ip: string) => (ip.startsWith('::ffff:') ? ip.slice(7) : ip);

export const parseTrustedProxies = (list: string) => new Set(list.split(',').map((s) => normalize(s.trim())).filter(Boolean));
