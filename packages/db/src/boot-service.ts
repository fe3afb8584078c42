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
      const relay = new OutboxRelay({ em: orm.em as never, sidecar, source: options.service, logger });
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
