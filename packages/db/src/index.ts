import { defineConfig, MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { EntitySchema } from '@mikro-orm/core';
import { messagingEntities } from '@vcd/messaging';

export interface ServiceDatabase {
  /** Entities of the service (the outbox and inbox are added). */
  entities: EntitySchema<any, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Absolute path of the folder with migration files. */
  migrationsDir: string;
}

/** MikroORM settings shared by every service: its own database, migrations as files, no global context. */
export const ormConfigFor = (db: ServiceDatabase, clientUrl: string, pool = { min: 1, max: 10 }): Options =>
  defineConfig({
    clientUrl,
    entities: [...db.entities, ...messagingEntities],
    extensions: [Migrator],
    migrations: { path: db.migrationsDir, pathTs: db.migrationsDir, glob: '!(*.d).{js,ts}', transactional: true, snapshot: false },
    preferTs: true,
    pool,
    allowGlobalContext: false,
  });

/** Applies pending migration files against DATABASE_URL (the runner and deployments call it before start-up). */
export async function migrateFromEnv(service: string, db: ServiceDatabase): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write(`${service}: DATABASE_URL is required to migrate\n`);
    process.exit(1);
  }
  const orm = await MikroORM.init(ormConfigFor(db, url, { min: 0, max: 2 }));
  try {
    const applied = await orm.migrator.up();
    process.stdout.write(`${service}: ${applied.length} migration(s) applied\n`);
  } finally {
    await orm.close();
  }
}

export { MikroORM };
export * from './boot-service.js';
