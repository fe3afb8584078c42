import test from 'ava';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Sidecar } from '@vcd/dapr';
import { createLogger } from '@vcd/logging';
import { MESSAGING_RETENTION_SQL, OUTBOX_LEASE_SQL, OutboxRelay } from '@vcd/messaging';
import { stack, stackRedis } from '../support/stack.js';
import { scratchSchema } from '../support/messaging/scratch-schema.js';
import { slowSidecar } from '../support/messaging/slow-sidecar.js';

// The relay against real Postgres (a schema of its own in the blog database, so the blog's relay never sees these
// rows) and the blog's real sidecar; a sidecar that is down is a port nobody listens on, a slow one is a door in
// front of the real one that holds calls until the test lets them through.

const db = scratchSchema('relay_test');
const logger = createLogger('relay-test', { level: 'silent' });
// A topic blog may publish (its pub/sub scopes refuse any other); its consumer drops our events (foreign source).
const topic = 'post.deleted';

test.before(() => db.create([...OUTBOX_LEASE_SQL, ...MESSAGING_RETENTION_SQL]));
test.after.always(() => db.drop());

const blogSidecar = (httpPort?: number) => {
  const blog = stack().apps.blog!;
  return new Sidecar({ host: '127.0.0.1', httpPort: httpPort ?? blog.daprHttpPort, grpcPort: blog.daprGrpcPort, apiToken: blog.daprApiToken });
};

const drainOnce = async (relay: OutboxRelay) => {
  relay.notify();
  await relay.stop();
};

const insert = async (id: string, extra: { leaseUntil?: string; leaseOwner?: string; n?: number } = {}) =>
  db.sql(
    `insert into outbox (id, topic, payload, created_at, lease_until, lease_owner)
     values ($1, $2, $3, now() + ($4 || ' ms')::interval, now() + ($5)::interval, $6)`,
    [id, topic, { articleId: id, authorId: randomUUID() }, extra.n ?? 0, extra.leaseUntil ?? null, extra.leaseOwner ?? null],
  );

test.serial('a publish that fails leaves the rows unpublished with the error and no lease; the next drain publishes each once', async (t) => {
  const orm = await db.orm();
  t.teardown(() => orm.close());
  const ids: string[] = [randomUUID(), randomUUID(), randomUUID()];
  for (const [n, id] of ids.entries()) await insert(id, { n });

  const down = new Sidecar({ host: '127.0.0.1', httpPort: 1, grpcPort: 1, apiToken: 'x' });
  await drainOnce(new OutboxRelay({ em: orm.em, sidecar: down, source: 'relay-test', logger }));
  const failed = await db.sql<{ published_at: Date | null; attempts: number; last_error: string | null; lease_until: Date | null }>(
    `select published_at, attempts, last_error, lease_until from outbox where id = any($1)`,
    [ids],
  );
  t.is(failed.length, 3);
  t.true(failed.every((r) => r.published_at === null && r.attempts === 1 && !!r.last_error && r.lease_until === null), JSON.stringify(failed));

  const up = blogSidecar();
  t.teardown(() => up.close());
  await drainOnce(new OutboxRelay({ em: orm.em, sidecar: up, source: 'relay-test', logger }));
  const done = await db.sql<{ id: string; published_at: Date | null; attempts: number }>(`select id, published_at, attempts from outbox where id = any($1) order by created_at`, [ids]);
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
  t.deepEqual(await db.sql(`select count(*)::int as n from outbox where id = any($1) and attempts <> 2`, [ids]), [{ n: 0 }]);
});

test.serial('while a publish is in flight the relay holds no transaction and no lock: the row is only leased', async (t) => {
  const app = `relay-lease-${randomUUID().slice(0, 8)}`;
  const orm = await db.orm(app);
  t.teardown(() => orm.close());
  const blog = stack().apps.blog!;
  const door = await slowSidecar({ host: '127.0.0.1', port: blog.daprHttpPort });
  t.teardown(door.close);
  const sidecar = blogSidecar(door.port);
  t.teardown(() => sidecar.close());
  const id = randomUUID();
  await insert(id);

  door.hold();
  const relay = new OutboxRelay({ em: orm.em, sidecar, source: 'relay-test', logger }, { leaseMs: 30_000 });
  relay.notify();
  await door.arrived();
  // The publish is at daprd's door, waiting. Nothing of the relay's is in a transaction, and the row is not locked.
  const sessions = await db.sql<{ state: string; xact_start: Date | null }>(
    `select state, xact_start from pg_stat_activity where application_name = $1`,
    [app],
  );
  t.true(sessions.length > 0, 'the relay has connected');
  t.deepEqual(sessions.filter((s) => s.state !== 'idle' || s.xact_start !== null), [], JSON.stringify(sessions));
  t.deepEqual(
    await db.sql(
      `select l.mode from pg_locks l join pg_class c on c.oid = l.relation join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = $1 and c.relname = 'outbox' and l.pid in (select pid from pg_stat_activity where application_name = $2)`,
      [db.schema, app],
    ),
    [],
  );
  const client = new pg.Client({ connectionString: stack().secrets['blog-database-url']! });
  await client.connect();
  try {
    await client.query('begin');
    const locked = await client.query(`select id from ${db.schema}.outbox where id = $1 for update nowait`, [id]);
    t.is(locked.rowCount, 1, 'another transaction can lock the row at once');
    await client.query('rollback');
  } finally {
    await client.end();
  }
  const [leased] = await db.sql<{ lease_owner: string; ahead: number; published_at: Date | null }>(
    `select lease_owner, extract(epoch from lease_until - now())::float8 as ahead, published_at from outbox where id = $1`,
    [id],
  );
  t.is(leased!.lease_owner, relay.owner);
  t.true(leased!.ahead > 20 && leased!.ahead <= 30, String(leased!.ahead));
  t.is(leased!.published_at, null);
  // Another relay meanwhile leaves the leased row alone.
  const other = new OutboxRelay({ em: orm.em, sidecar: blogSidecar(), source: 'relay-test', logger });
  await drainOnce(other);
  t.false(door.publishedIds().includes(id));

  door.release();
  await relay.stop();
  t.deepEqual(door.publishedIds().filter((x) => x === id), [id]);
  const [done] = await db.sql<{ published: boolean; lease_owner: string | null; attempts: number }>(
    `select published_at is not null as published, lease_owner, attempts from outbox where id = $1`,
    [id],
  );
  t.deepEqual(done, { published: true, lease_owner: null, attempts: 1 });
});

test.serial('a row whose lease expired is taken over by exactly one of several relays; a live lease is left alone', async (t) => {
  const orm = await db.orm();
  t.teardown(() => orm.close());
  const blog = stack().apps.blog!;
  const door = await slowSidecar({ host: '127.0.0.1', port: blog.daprHttpPort });
  t.teardown(door.close);
  const sidecar = blogSidecar(door.port);
  t.teardown(() => sidecar.close());
  const expired = [randomUUID(), randomUUID(), randomUUID()];
  const live = randomUUID();
  for (const [n, id] of expired.entries()) await insert(id, { n, leaseUntil: '-1 second', leaseOwner: 'relay-that-died' });
  await insert(live, { n: 5, leaseUntil: '1 hour', leaseOwner: 'relay-still-working' });

  const relays = Array.from({ length: 6 }, () => new OutboxRelay({ em: orm.em, sidecar, source: 'relay-test', logger }, { batchSize: 2 }));
  await Promise.all(relays.map(drainOnce));

  const publishedIds = door.publishedIds();
  for (const id of expired) t.is(publishedIds.filter((x) => x === id).length, 1, `published once: ${id}`);
  t.false(publishedIds.includes(live));
  const rows = await db.sql<{ id: string; published: boolean; attempts: number; lease_owner: string | null }>(
    `select id, published_at is not null as published, attempts, lease_owner from outbox where id = any($1)`,
    [[...expired, live]],
  );
  for (const row of rows) {
    if (row.id === live) t.deepEqual(row, { id: live, published: false, attempts: 0, lease_owner: 'relay-still-working' });
    else t.deepEqual(row, { id: row.id, published: true, attempts: 1, lease_owner: null });
  }
});

test.serial('publishNow publishes a committed urgent event at once, and leaves one another relay has leased', async (t) => {
  const orm = await db.orm();
  t.teardown(() => orm.close());
  const blog = stack().apps.blog!;
  const door = await slowSidecar({ host: '127.0.0.1', port: blog.daprHttpPort });
  t.teardown(door.close);
  const sidecar = blogSidecar(door.port);
  t.teardown(() => sidecar.close());
  const urgent = randomUUID();
  const leased = randomUUID();
  await insert(urgent);
  await insert(leased, { leaseUntil: '1 hour', leaseOwner: 'another-relay' });
  const relay = new OutboxRelay({ em: orm.em, sidecar, source: 'relay-test', logger });
  await relay.publishNow([urgent, leased]);
  t.deepEqual(door.publishedIds(), [urgent]);
  const rows = await db.sql<{ id: string; published: boolean }>(`select id, published_at is not null as published from outbox where id = any($1) order by published`, [[urgent, leased]]);
  t.deepEqual(rows, [{ id: leased, published: false }, { id: urgent, published: true }]);
});

test.serial("retention: the relay's periodic work deletes published events and inbox ids past their age; recent and unpublished rows stay", async (t) => {
  const orm = await db.orm();
  t.teardown(() => orm.close());
  const ids = { oldPublished: randomUUID(), recentPublished: randomUUID(), oldUnpublished: randomUUID(), oldLeased: randomUUID() };
  const age = (id: string, created: string, published: string | null, lease?: string) =>
    db.sql(
      `insert into outbox (id, topic, payload, created_at, published_at, lease_until, lease_owner)
       values ($1, $2, '{}', now() - ($3)::interval, now() - ($4)::interval, now() + ($5)::interval, $6)`,
      [id, topic, created, published, lease ?? null, lease ? 'busy' : null],
    );
  await age(ids.oldPublished, '9 days', '8 days');
  await age(ids.recentPublished, '2 days', '1 day');
  await age(ids.oldUnpublished, '30 days', null);
  await age(ids.oldLeased, '30 days', null, '1 hour');
  const inbox = { old: `old-${randomUUID()}`, recent: `recent-${randomUUID()}` };
  await db.sql(`insert into inbox (event_id, topic, received_at) values ($1, $2, now() - interval '8 days'), ($3, $2, now() - interval '6 days')`, [inbox.old, topic, inbox.recent]);

  // A relay whose sidecar is down still does its periodic work: the sweep is due at its first poll.
  const down = new Sidecar({ host: '127.0.0.1', httpPort: 1, grpcPort: 1, apiToken: 'x' });
  const week = 7 * 86_400_000;
  await drainOnce(new OutboxRelay({ em: orm.em, sidecar: down, source: 'relay-test', logger }, { retention: { outboxMs: week, inboxMs: week, sweepEveryMs: 60_000 } }));

  const outboxLeft = (await db.sql<{ id: string }>(`select id from outbox where id = any($1)`, [Object.values(ids)])).map((r) => r.id).sort();
  t.deepEqual(outboxLeft, [ids.recentPublished, ids.oldUnpublished, ids.oldLeased].sort());
  const inboxLeft = (await db.sql<{ event_id: string }>(`select event_id from inbox where event_id = any($1)`, [Object.values(inbox)])).map((r) => r.event_id);
  t.deepEqual(inboxLeft, [inbox.recent]);

  // A shorter age, swept directly: the day-old published row goes too; unpublished rows never do.
  const relay = new OutboxRelay({ em: orm.em, sidecar: down, source: 'relay-test', logger }, { retention: { outboxMs: 3_600_000, inboxMs: 3_600_000 } });
  t.deepEqual(await relay.sweep(), { outbox: 1, inbox: 1 });
  t.is((await db.sql(`select id from outbox where id = any($1)`, [Object.values(ids)])).length, 2);
});
