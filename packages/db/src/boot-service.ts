import type Koa from 'koa';
import { MikroORM } from '@mikro-orm/postgresql';
import { type Sidecar } from '@vcd/dapr';
import { hostService, type HostConfig } from '@vcd/http';
import type { Logger } from '@vcd/logging';
import { OutboxRelay } from '@vcd/messaging';
import { ormConfigFor, type ServiceDatabase } from './orm-config.js';
import { observedGauge } from '@vcd/telemetry';

interface BaseConfig extends HostConfig {
  APP_API_TOKEN: string;
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
 * The service host (@vcd/http's hostService) with what every database-owning service adds: the database URL from
 * the Dapr secret store, MikroORM, the outbox relay (started once the app listens); the reverse on shutdown.
 */
export function bootService<C extends BaseConfig>(options: {
  service: string;
  loadConfig: () => C;
  database: ServiceDatabase;
  buildApp: (runtime: ServiceRuntime<C>) => Koa | Promise<Koa>;
  onShutdown?: () => Promise<void>;
}): void {
  hostService({
    service: options.service,
    loadConfig: options.loadConfig,
    start: async ({ config, logger, sidecar }) => {
      const orm = await MikroORM.init(ormConfigFor(options.database, await sidecar.getSecret(`${options.service}-database-url`), undefined, logger));
      watchPool(orm);
      const day = 86_400_000;
      const relay = new OutboxRelay(
        { em: orm.em, sidecar, source: options.service, logger },
        {
          retention: {
            outboxMs: (config.EVENT_RETENTION_DAYS ?? 7) * day,
            inboxMs: (config.EVENT_RETENTION_DAYS ?? 7) * day,
            sweepEveryMs: config.RETENTION_SWEEP_INTERVAL_MS ?? 3_600_000,
          },
        },
      );
      return {
        app: await options.buildApp({ config, logger, sidecar, orm, relay }),
        started: () => relay.start(),
        stopping: async () => {
          await options.onShutdown?.();
          await relay.stop();
          await orm.close();
        },
      };
    },
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
