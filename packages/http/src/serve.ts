import type { Server } from 'node:http';
import type Koa from 'koa';
import type { Logger } from '@vcd/logging';
import { flushTracing } from '@vcd/telemetry';

/**
 * Listens on host:port with keep-alive tuned for a sidecar in front, and shuts down gracefully on SIGTERM/SIGINT:
 * stop accepting, let in-flight requests finish (up to graceMs), then run `onShutdown` (close pools, relays).
 */
export function serve(
  app: Koa,
  options: { host: string; port: number; logger: Logger; graceMs: number; onShutdown?: () => Promise<void> },
): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(options.port, options.host);
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.once('error', reject);
    server.once('listening', () => {
      options.logger.info({ port: options.port, host: options.host }, 'listening');
      resolve(server);
    });
    let closing = false;
    const shutdown = (signal: string) => {
      if (closing) return;
      closing = true;
      options.logger.info({ signal }, 'shutting down');
      const force = setTimeout(() => {
        options.logger.warn('grace period over, closing remaining connections');
        server.closeAllConnections();
      }, options.graceMs);
      force.unref();
      server.close(async () => {
        clearTimeout(force);
        try {
          await options.onShutdown?.();
        } catch (err) {
          options.logger.error({ err }, 'error during shutdown');
        }
        options.logger.info('stopped');
        await flushTracing();
        process.exit(0);
      });
      server.closeIdleConnections();
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}

/** Runs an async main and stops the process with a clear message when start-up fails. */
export function runMain(service: string, main: () => Promise<unknown>): void {
  main().catch((err: unknown) => {
    process.stderr.write(`${service}: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    if (err instanceof Error && err.stack && process.env.LOG_LEVEL === 'debug') process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  });
}
