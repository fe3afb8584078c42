import { readFileSync } from 'node:fs';
import net from 'node:net';

/**
 * Development port defaults besides dapr.yaml's: all below the kernel's ephemeral range (32768-60999), where an
 * outgoing connection of any program could hold them (test/deploy/dev-ports.test.ts).
 */
export const DEV_SENTRY_PORTS = { grpc: 3530, healthz: 3531 } as const;
/** A sidecar's internal gRPC port is its gRPC port plus this (3510 → 3520). */
export const DEV_INTERNAL_GRPC_OFFSET = 10;
/** Where the development stack's Redis listens (tests and --free-ports pick a free port). */
export const DEV_REDIS_PORT = 6380;

const handedOut = new Set<number>();

/** The kernel's range for outgoing connections' local ports (a port from it can be taken by any connect()). */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low! > 0 && high! >= low!) return [low!, high!];
  } catch {
    // not Linux: assume the IANA range
  }
  return [49152, 65535];
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free loopback port below the ephemeral range: a port the kernel handed to listen(0) comes from that range, and
 * between our check and the service's own listen an outgoing connection can take it (EADDRINUSE at start).
 */
export async function freePort(): Promise<number> {
  const [low] = ephemeralRange();
  const from = 20_000;
  const to = Math.min(low, 32_768);
  for (let attempt = 0; to - from > 1000 && attempt < 100; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from));
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
