import type Koa from 'koa';
import { MikroORM } from '@mikro-orm/postgresql';
import { Sidecar } from '@vcd/dapr';
import { runMain, serve } from '@vcd/http';
import { createLogger, type Logger } from '@vcd/logging';
import { OutboxRelay } from '@vcd/messaging';
import { ormConfigFor, type ServiceDatabase } from './index.js';
import { observedGauge } from '@vcd/telemetry';

interface BaseConfig {
  APP_HOST: string;
  APP_PORT: number;
  DAPR_HOST: string;
  DAPR_HTTP_PORT: number;
  DAPR_GRPC_PORT: number;
  DAPR_API_TOKEN: string;
  APP_API_TOKEN: string;
  LOG_LEVEL: string;
  SHUTDOWN_GRACE_MS: number;
  /** messagingEnv (@vcd/config): how long published outbox rows and inbox rows are kept (default 7 days). */
  EVENT_RETENTION_DAYS?: number;
  RETENTION_SWEEP_INTERVAL_MS?: number;
}

export interface ServiceRuntime<C extends BaseConfig> {
  config: C;
  logger: Logger;
  sidecar: Sidecar;
  orm: MikroORM;
  relay: OutboxRelay;
}

/**
 * The start-up every database-owning service shares: config (parsed once), logger, wait for the sidecar, the
 * database URL from the Dapr secret store, MikroORM, the outbox relay, then listen; the reverse on shutdown.
 */
export function bootService<C extends BaseConfig>(options: {
  service: string;
  loadConfig: () => C;
  database: ServiceDatabase;
  buildApp: (runtime: ServiceRuntime<C>) => Koa | Promise<Koa>;
  onShutdown?: () => Promise<void>;
}): void {
  runMain(options.service, async () => {
    const config = options.loadConfig();
    const logger = createLogger(options.service, { level: config.LOG_LEVEL });
    const sidecar = new Sidecar({ host: config.DAPR_HOST, httpPort: config.DAPR_HTTP_PORT, grpcPort: config.DAPR_GRPC_PORT, apiToken: config.DAPR_API_TOKEN });
    await sidecar.waitUntilReady();
    const orm = await MikroORM.init(ormConfigFor(options.database, await sidecar.getSecret(`${options.service}-database-url`), undefined, logger));
    watchPool(orm);
    const day = 86_400_000;
    const relay = new OutboxRelay(
      { em: orm.em as never, sidecar, source: options.service, logger },
      {
        retention: {
          outboxMs: (config.EVENT_RETENTION_DAYS ?? 7) * day,
          inboxMs: (config.EVENT_RETENTION_DAYS ?? 7) * day,
          sweepEveryMs: config.RETENTION_SWEEP_INTERVAL_MS ?? 3_600_000,
        },
      },
    );
    const app = await options.buildApp({ config, logger, sidecar, orm, relay });
    await serve(app, {
      host: config.APP_HOST,
      port: config.APP_PORT,
      logger,
      graceMs: config.SHUTDOWN_GRACE_MS,
      onShutdown: async () => {
        await options.onShutdown?.();
        await relay.stop();
        await orm.close();
        await sidecar.close();
      },
    });
    relay.start();
  });
}

/** The database pool's connections by state, read at each scrape (knex's pool, under MikroORM). */
function watchPool(orm: MikroORM): void {
  observedGauge('db_pool_connections', 'Database pool connections by state (used, free, pending acquires, max)', ['state'], (set) => {
    const pool = (orm.em.getConnection() as unknown as { getKnex(): { client: { pool?: Pool } } }).getKnex().client.pool;
    if (!pool) return;
    set({ state: 'used' }, pool.numUsed());
    set({ state: 'free' }, pool.numFree());
    set({ state: 'pending' }, pool.numPendingAcquires());
    set({ state: 'max' }, pool.max);
  });
}

interface Pool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  max: number;
}
