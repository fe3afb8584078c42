import pg from 'pg';
import { stack } from './stack.js';

/** Runs one query against a service's own database (to check the state a request left behind). */
export async function query<T = Record<string, unknown>>(service: 'auth' | 'blog' | 'user', sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: stack().secrets[`${service}-database-url`] });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
