import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { MESSAGING_TABLES_SQL, messagingEntities, OUTBOX_TRACE_CONTEXT_SQL } from '@vcd/messaging';
import { stack } from '../stack.js';

/**
 * A schema of its own in a service's database of the stack (blog by default; the service's relays never see these rows), with the messaging
 * tables as the services' migrations leave them; `extraDdl` runs after them (e.g. newer migrations' statements).
 */
export function scratchSchema(prefix: string, service: 'auth' | 'blog' | 'user' = 'blog') {
  const schema = `${prefix}_${randomUUID().slice(0, 8)}`;
  const url = () => stack().secrets[`${service}-database-url`]!;
  const withSchema = () => `${url()}${url().includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;

  async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: withSchema() });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async function admin(text: string): Promise<void> {
    const client = new pg.Client({ connectionString: url() });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  }

  return {
    schema,
    url,
    sql,
    create: async (extraDdl: string[] = []) => {
      await admin(`create schema ${schema}`);
      for (const ddl of [...MESSAGING_TABLES_SQL, OUTBOX_TRACE_CONTEXT_SQL, ...extraDdl]) await sql(ddl);
    },
    drop: () => admin(`drop schema if exists ${schema} cascade`),
    /** A MikroORM on the schema (close it in a teardown). */
    orm: (applicationName?: string) =>
      MikroORM.init({
        clientUrl: url(),
        driverOptions: { connection: { options: `-c search_path=${schema}`, ...(applicationName ? { application_name: applicationName } : {}) } },
        entities: messagingEntities,
        allowGlobalContext: false,
        pool: { min: 0, max: 2 },
      }),
  };
}
