import { defineConfig, type Options } from '@mikro-orm/postgresql';
import type { EntitySchema } from '@mikro-orm/core';
import type { Logger } from '@vcd/logging';
import { messagingEntities } from '@vcd/messaging/entities';
import { ormDebugFor, SafeOrmLogger } from './orm-logger.js';

export interface ServiceDatabase {
  /** Entities of the service (the outbox and inbox are added). */
  entities: EntitySchema<any, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Absolute path of the folder with migration files. */
  migrationsDir: string;
}

/**
 * MikroORM settings shared by every service: its own database, migrations as files, no global context, and a
 * logger that writes statements (at LOG_LEVEL=debug) into the service's log without their parameter values. A
 * running service never migrates (the runner and deployments do, before it starts), so the migrator is not loaded
 * here: `migratingOrmConfigFor` (`@vcd/db/migrate`) adds it.
 */
export const ormConfigFor = (db: ServiceDatabase, clientUrl: string, pool = { min: 1, max: 10 }, logger?: Logger): Options =>
  defineConfig({
    clientUrl,
    entities: [...db.entities, ...messagingEntities],
    migrations: { path: db.migrationsDir, pathTs: db.migrationsDir, glob: '!(*.d).{js,ts}', transactional: true, snapshot: false },
    preferTs: true,
    pool,
    allowGlobalContext: false,
    debug: ormDebugFor(logger),
    colors: false,
    loggerFactory: (options) => new SafeOrmLogger(options, logger),
  });
