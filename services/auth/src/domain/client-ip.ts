/**
 * The client's address for throttling. Only the gateway's `x-forwarded-for` is believed (any other caller could
 * write anything). The gateway replaces whatever the client sent with the one address it determined, and daprd
 * appends its own hop(s) behind it on the way, so the first entry is the gateway's. Without it every request
 * shares one bucket ("unknown"), which fails safe (stricter, never looser).
 */
export function clientIp(forwardedFor: string | undefined, fromGateway: boolean): string {
  if (!fromGateway || !forwardedFor) return 'unknown';
  const first = forwardedFor.split(',').map((s) => s.trim()).find(Boolean);
  if (!first || first.length > 64 || !/^[0-9A-Fa-f:.]+$/.test(first)) return 'unknown';
  return first.toLowerCase();
}
