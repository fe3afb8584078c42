import test from 'ava';
import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { Sidecar } from '@vcd/dapr';
import { createLogger } from '@vcd/logging';
import { MESSAGING_TABLES_SQL, messagingEntities, OUTBOX_TRACE_CONTEXT_SQL, OutboxRelay } from '../src/index.js';
import { stack, stackRedis } from '../../../test/support/stack.js';

// The relay against real Postgres (a schema of its own in the blog database, so the blog's relay never sees these
// rows) and the blog's real sidecar; a sidecar that is down is a port nobody listens on.

const schema = `relay_test_${randomUUID().slice(0, 8)}`;
const url = () => stack().secrets['blog-database-url']!;
const withSchema = () => `${url()}${url().includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
const logger = createLogger('relay-test', { level: 'silent' });

async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: withSchema() });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

test.before(async () => {
  const client = new pg.Client({ connectionString: url() });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.end();
  for (const ddl of [...MESSAGING_TABLES_SQL, OUTBOX_TRACE_CONTEXT_SQL]) await sql(ddl);
});

test.after.always(async () => {
  const client = new pg.Client({ connectionString: url() });
  await client.connect();
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.end();
});

const drainOnce = async (relay: OutboxRelay) => {
  relay.notify();
  await relay.stop();
};

test('a publish that fails leaves the rows unpublished with the error; the next drain publishes each once', async (t) => {
  const orm = await MikroORM.init({
    clientUrl: url(),
    driverOptions: { connection: { options: `-c search_path=${schema}` } },
    entities: messagingEntities,
    allowGlobalContext: false,
    pool: { min: 0, max: 2 },
  });
  t.teardown(() => orm.close());
  // A topic blog may publish (its pub/sub scopes refuse any other) and no service consumes.
  const topic = 'post.deleted';
  const ids: string[] = [randomUUID(), randomUUID(), randomUUID()];
  for (const [i, id] of ids.entries()) {
    await sql(`insert into outbox (id, topic, payload, created_at) values ($1, $2, $3, now() + ($4 || ' ms')::interval)`, [id, topic, { n: i }, i]);
  }

  const down = new Sidecar({ host: '127.0.0.1', httpPort: 1, grpcPort: 1, apiToken: 'x' });
  await drainOnce(new OutboxRelay({ em: orm.em, sidecar: down, source: 'relay-test', logger }));
  const failed = await sql<{ published_at: Date | null; attempts: number; last_error: string | null }>('select published_at, attempts, last_error from outbox');
  t.is(failed.length, 3);
  t.true(failed.every((r) => r.published_at === null && r.attempts === 1 && !!r.last_error), JSON.stringify(failed));

  const blog = stack().apps.blog!;
  const up = new Sidecar({ host: '127.0.0.1', httpPort: blog.daprHttpPort, grpcPort: blog.daprGrpcPort, apiToken: blog.daprApiToken });
  t.teardown(() => up.close());
  await drainOnce(new OutboxRelay({ em: orm.em, sidecar: up, source: 'relay-test', logger }));
  const done = await sql<{ id: string; published_at: Date | null; attempts: number }>('select id, published_at, attempts from outbox order by created_at');
  t.deepEqual(done.map((r) => [r.id, r.published_at !== null, r.attempts]), ids.map((id) => [id, true, 2]));

  // They are in the topic's stream, as CloudEvents with our ids, once each.
  const redis = stackRedis();
  await redis.connect();
  try {
    const entries = (await redis.xrange(topic, '-', '+'))
      .map(([, fields]) => JSON.parse(fields[fields.indexOf('data') + 1]!) as { id: string; source: string; data: unknown })
      .filter((e) => ids.includes(e.id));
    t.deepEqual(entries.map((e) => e.id).sort(), [...ids].sort());
    t.true(entries.every((e) => e.source === 'relay-test'));
  } finally {
    redis.disconnect();
  }

  // A third drain finds nothing left to publish.
  await drainOnce(new OutboxRelay({ em: orm.em, sidecar: up, source: 'relay-test', logger }));
  t.deepEqual((await sql('select count(*)::int as n from outbox where attempts <> 2')), [{ n: 0 }]);
});
