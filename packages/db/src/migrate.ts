import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Logger } from '@vcd/logging';
import { ormConfigFor, type ServiceDatabase } from './orm-config.js';

/** ormConfigFor with the migrator (`orm.migrator`), for what applies migrations: the runner, deployments, tests. */
export const migratingOrmConfigFor = (db: ServiceDatabase, clientUrl: string, pool?: { min: number; max: number }, logger?: Logger): Options => ({
  ...ormConfigFor(db, clientUrl, pool, logger),
  extensions: [Migrator],
});

/**
 * Applies pending migration files against DATABASE_URL (the runner and deployments call it before start-up). A
 * module of its own (`@vcd/db/migrate`): a migration loads MikroORM and the service's entities, not the HTTP, Dapr
 * and telemetry packages a running service needs.
 */
export async function migrateFromEnv(service: string, db: ServiceDatabase): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write(`${service}: DATABASE_URL is required to migrate\n`);
    process.exit(1);
  }
  const orm = await MikroORM.init(migratingOrmConfigFor(db, url, { min: 0, max: 2 }));
  try {
    const applied = await orm.migrator.up();
    process.stdout.write(`${service}: ${applied.length} migration(s) applied\n`);
  } finally {
    await orm.close();
  }
}
