import type Koa from 'koa';
import { Sidecar } from '@vcd/dapr';
import { createLogger, type Logger } from '@vcd/logging';
import { compactWhenIdle } from './idle-compaction.js';
import { runMain, serve } from './serve.js';

/** What every service's configuration has (each service's config.ts parses it once, with its own additions). */
export interface HostConfig {
  APP_HOST: string;
  APP_PORT: number;
  DAPR_HOST: string;
  DAPR_HTTP_PORT: number;
  DAPR_GRPC_PORT: number;
  DAPR_API_TOKEN: string;
  LOG_LEVEL: string;
  SHUTDOWN_GRACE_MS: number;
  IDLE_COMPACTION_MS: number;
}

export interface HostedService {
  app: Koa;
  /** After the app listens (start relays, jobs). */
  started?: () => void;
  /** On SIGTERM/SIGINT, after in-flight requests finished (stop relays, close pools), before the sidecar client closes. */
  stopping?: () => Promise<void>;
}

/**
 * The one start-up every service (the gateway included) goes through: its config parsed once, its logger, its
 * sidecar waited for, then whatever the service builds on them (`start`), then listen; the reverse on shutdown.
 */
export function hostService<C extends HostConfig>(options: {
  service: string;
  loadConfig: () => C;
  start: (runtime: { config: C; logger: Logger; sidecar: Sidecar }) => Promise<HostedService>;
}): void {
  runMain(options.service, async () => {
    const config = options.loadConfig();
    const logger = createLogger(options.service, { level: config.LOG_LEVEL });
    const sidecar = new Sidecar({ host: config.DAPR_HOST, httpPort: config.DAPR_HTTP_PORT, grpcPort: config.DAPR_GRPC_PORT, apiToken: config.DAPR_API_TOKEN });
    await sidecar.waitUntilReady();
    const hosted = await options.start({ config, logger, sidecar });
    const compaction = compactWhenIdle(config.IDLE_COMPACTION_MS, ({ collected, heap, rss }) =>
      logger.info(
        { collected, heapBytesBefore: heap.before, heapBytesAfter: heap.after, rssBytesBefore: rss.before, rssBytesAfter: rss.after },
        'idle: memory given back',
      ),
    );
    if (config.IDLE_COMPACTION_MS > 0 && !compaction.releasesNative) {
      logger.warn('idle compaction: malloc_trim is not reachable here (no glibc, or koffi did not load); only the V8 heap is given back when idle');
    }
    await serve(hosted.app, {
      host: config.APP_HOST,
      port: config.APP_PORT,
      logger,
      graceMs: config.SHUTDOWN_GRACE_MS,
      onShutdown: async () => {
        compaction.stop();
        await hosted.stopping?.();
        await sidecar.close();
      },
    });
    hosted.started?.();
  });
}
