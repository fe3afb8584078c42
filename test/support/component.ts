/**
 * Helpers for component tests (`*.component.test.ts`): one service in-process (its `buildApp`) against real
 * Postgres and Redis, with fakes where its sidecar would be. Each test file gets a database of its own, created
 * from the Postgres superuser URL and migrated with the service's own migrations, so component tests need no
 * stack and never share rows with one: `npm run test:component` runs them alone, `npm test` with everything else.
 *
 * Postgres: PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres, as the runner's). Redis: the
 * stack's when STACK_INFO is set, else REDIS_URL (default redis://127.0.0.1:6379/15).
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { Redis } from 'ioredis';
import type { ServiceDatabase } from '@vcd/db';
import { migratingOrmConfigFor } from '@vcd/db/migrate';
import { createLogger } from '@vcd/logging';
import { stack, stackRedis } from './stack.js';

export { eventually } from './stack.js';

const adminUrl = () => process.env.PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface ThrowawayDatabase {
  name: string;
  url: string;
  /** The service's ORM on it, every migration applied. */
  orm: MikroORM;
  /** A query on its own connection (checks of the state a request left behind; `?` placeholders). */
  sql: <T = Record<string, unknown>>(query: string, params?: unknown[]) => Promise<T[]>;
  /** Closes the ORM and drops the database. */
  drop: () => Promise<void>;
}

/**
 * Creates an empty database named after the service (`<TEST_DB_PREFIX>ct_<service>_<random>`), applies the
 * service's migrations through its ORM (as `src/db/migrate.ts` does) and returns the ORM. With `migrate: false` the
 * database stays empty (test/support/schema.ts makes the schema from the entities in one).
 */
export async function throwawayDatabase(service: string, database: ServiceDatabase, options: { migrate?: boolean } = {}): Promise<ThrowawayDatabase> {
  const name = `${process.env.TEST_DB_PREFIX ?? 'vcd_test_'}ct_${service}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`create database "${name}"`));
  // A test killed before its teardown leaves its database behind; `npm test` starts from a clean server anyway.
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  // The service's ORM settings, with a silent logger: MikroORM's migrator would print every migration it applies.
  const orm = await MikroORM.init(migratingOrmConfigFor(database, url.toString(), { min: 0, max: 4 }, createLogger(`${service}-test`, { level: 'silent' })));
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await orm.close();
    await admin((c) => c.query(`drop database if exists "${name}" with (force)`));
  };
  try {
    if (options.migrate !== false) await orm.migrator.up();
  } catch (err) {
    await drop();
    throw err;
  }
  return { name, url: url.toString(), orm, sql: <T,>(q: string, params: unknown[] = []) => orm.em.fork().execute<T[]>(q, params), drop };
}

/**
 * A Redis connection for a component test (connected): under `npm test` the stack's, in its DB, as its operator
 * or as the user of the secret `asSecret` names (e.g. `redis-url`, a service's ACL user); otherwise REDIS_URL or a
 * local Redis's DB 15. Tests keep their keys apart by prefix or by client address.
 */
export async function componentRedis(asSecret?: string): Promise<Redis> {
  const options = { lazyConnect: true, maxRetriesPerRequest: 1 };
  const redis = process.env.STACK_INFO
    ? asSecret
      ? new Redis(stack().secrets[asSecret]!, options)
      : stackRedis()
    : new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379/15', options);
  await redis.connect();
  return redis;
}

export interface Served {
  url: string;
  close: () => Promise<void>;
}

/** Listens with a Koa app (or any request listener) on a free loopback port. */
export async function serve(app: Koa | Parameters<typeof import('node:http').createServer>[1]): Promise<Served> {
  const { createServer } = await import('node:http');
  const server: Server = createServer('callback' in (app as object) ? (app as Koa).callback() : (app as never));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A random 32-character secret (app API tokens and the like). */
export const secret = () => randomBytes(16).toString('hex');
