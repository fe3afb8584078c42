import test from 'ava';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfigFor } from '@vcd/db';
import { createLogger } from '@vcd/logging';
import { buildApp } from '../src/app.js';
import { userDatabase } from '../src/db/orm.config.js';
import { throwawayDatabase, type ThrowawayDatabase } from '../../../test/support/component.js';

/**
 * The user service in-process against a migrated database of its own: how each delivery answers Dapr's status contract.
 * SUCCESS when applied, DROP for a permanently invalid event, RETRY when the database fails.
 */
const TOKEN = 'app-token-for-this-test';
const logger = createLogger('user-test', { level: 'silent' });

async function serve(orm: MikroORM): Promise<{ url: string; server: Server }> {
  const server = buildApp({ orm, logger, appApiToken: TOKEN }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function deliver(url: string, topic: string, data: unknown, id: string = randomUUID()) {
  const res = await fetch(`${url}/events/${topic}`, {
    method: 'POST',
    headers: { 'dapr-api-token': TOKEN, 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify({ specversion: '1.0', id, source: 'blog', type: topic, datacontenttype: 'application/json', data }),
  });
  return { status: res.status, body: (await res.json()) as { status: string }, id };
}

let db: ThrowawayDatabase;
let orm: MikroORM;
let app: { url: string; server: Server };
test.before(async () => {
  db = await throwawayDatabase('user', userDatabase);
  orm = db.orm;
  app = await serve(orm);
});
test.after.always(async () => {
  app?.server.close();
  await db?.drop();
});

const sql = <T = Record<string, unknown>>(q: string, params: unknown[] = []) => orm.em.fork().execute(q, params) as Promise<T[]>;
const post = (authorId: string, slug: string) => ({ articleId: slug, slug, title: 'T', authorId, publishedAt: new Date().toISOString() });

async function authorWithFollower() {
  const author = randomUUID();
  const follower = randomUUID();
  await sql('insert into follow (follower_id, followee_id) values (?, ?)', [follower, author]);
  return { author, follower };
}

test('a valid event answers SUCCESS and its effect is stored with its inbox row', async (t) => {
  const { author, follower } = await authorWithFollower();
  const res = await deliver(app.url, 'post.published', post(author, 'ok'));
  t.deepEqual([res.status, res.body], [200, { status: 'SUCCESS' }]);
  t.deepEqual(await sql('select kind, event_id from notification where user_id = ?', [follower]), [{ kind: 'new_post', event_id: res.id }]);
  t.is((await sql('select 1 from inbox where event_id = ?', [res.id])).length, 1);
});

test('a permanently invalid event answers DROP and changes nothing', async (t) => {
  for (const [topic, data] of [
    ['post.published', { slug: 'x' }],
    ['user.followed', { followerId: 'not-a-uuid', followeeId: randomUUID() }],
    ['comment.created', 'not even an object'],
    ['user.registered', null],
  ] as const) {
    const res = await deliver(app.url, topic, data);
    t.deepEqual(res.body, { status: 'DROP' }, topic);
    t.deepEqual(await sql('select 1 from inbox where event_id = ?', [res.id]), []);
  }
  const garbage = await fetch(`${app.url}/events/post.published`, { method: 'POST', headers: { 'dapr-api-token': TOKEN }, body: '{nope' });
  t.deepEqual(await garbage.json(), { status: 'DROP' });
});

test('when the database is down the event answers RETRY, so Dapr redelivers it', async (t) => {
  const deadOrm = await MikroORM.init({
    ...ormConfigFor(userDatabase, 'postgresql://nobody:nothing@127.0.0.1:1/none', { min: 0, max: 1 }),
    connect: false,
  });
  const dead = await serve(deadOrm);
  try {
    const { author } = await authorWithFollower();
    const res = await deliver(dead.url, 'post.published', post(author, 'db-down'));
    t.deepEqual([res.status, res.body], [200, { status: 'RETRY' }]);
    // The redelivery, once the database is back, applies it.
    const again = await deliver(app.url, 'post.published', post(author, 'db-down'), res.id);
    t.deepEqual(again.body, { status: 'SUCCESS' });
    t.is((await sql('select 1 from activity where event_id = ?', [res.id])).length, 1);
  } finally {
    dead.server.close();
    await deadOrm.close();
  }
});

test('a failure half-way through an effect leaves nothing behind, so the redelivery applies it in full', async (t) => {
  const { author, follower } = await authorWithFollower();
  const slug = `fail-once-${randomUUID()}`;
  // Fault injection in the real database: the second write of the effect (activity) fails for this slug.
  const fn = `vcd_test_fail_${randomUUID().replace(/-/g, '')}`;
  await sql(`create function ${fn}() returns trigger language plpgsql as $$
    begin if new.article_id = '${slug}' then raise exception 'injected failure'; end if; return new; end $$`);
  await sql(`create trigger ${fn} before insert on activity for each row execute function ${fn}()`);
  let id: string;
  try {
    const res = await deliver(app.url, 'post.published', post(author, slug));
    id = res.id;
    t.deepEqual(res.body, { status: 'RETRY' });
    t.deepEqual(await sql('select 1 from notification where event_id = ?', [id]), [], 'the first write was rolled back');
    t.deepEqual(await sql('select 1 from inbox where event_id = ?', [id]), [], 'and the event is not marked handled');
  } finally {
    await sql(`drop trigger ${fn} on activity`);
    await sql(`drop function ${fn}()`);
  }
  const again = await deliver(app.url, 'post.published', post(author, slug), id);
  t.deepEqual(again.body, { status: 'SUCCESS' });
  t.deepEqual(await sql('select kind from notification where user_id = ? and event_id = ?', [follower, id]), [{ kind: 'new_post' }]);
  const dup = await deliver(app.url, 'post.published', post(author, slug), id);
  t.deepEqual(dup.body, { status: 'SUCCESS' }, 'a redelivered event is acknowledged');
  t.is((await sql('select 1 from notification where event_id = ?', [id])).length, 1, 'and changes nothing');
});

// Batches (Dapr bulk subscribe): a topic's events come several at a time and are applied in one transaction.

async function deliverBatch(url: string, topic: string, events: { id: string; data: unknown; source?: string }[]) {
  const res = await fetch(`${url}/events/${topic}`, {
    method: 'POST',
    headers: { 'dapr-api-token': TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify({
      id: randomUUID(),
      type: 'com.dapr.event.sent.bulk',
      topic,
      pubsubname: 'pubsub',
      metadata: {},
      entries: events.map((e) => ({
        entryId: `entry-${e.id}`,
        contentType: 'application/cloudevents+json',
        metadata: {},
        event: { specversion: '1.0', id: e.id, source: e.source ?? 'blog', type: topic, datacontenttype: 'application/json', data: e.data },
      })),
    }),
  });
  const body = (await res.json()) as { statuses: { entryId: string; status: string }[] };
  return Object.fromEntries(body.statuses.map((s) => [s.entryId.slice('entry-'.length), s.status]));
}

test('GET /dapr/subscribe asks daprd for every topic in batches', async (t) => {
  const subs = (await (await fetch(`${app.url}/dapr/subscribe`, { headers: { 'dapr-api-token': TOKEN } })).json()) as { topic: string; bulkSubscribe?: unknown }[];
  t.true(subs.length >= 9);
  for (const s of subs) t.deepEqual(s.bulkSubscribe, { enabled: true, maxMessagesCount: 32, maxAwaitDurationMs: 1 }, s.topic);
});

test('a batch is applied whole: every follower notified once, and a repeated or redelivered event changes nothing', async (t) => {
  const { author, follower } = await authorWithFollower();
  const ids = Array.from({ length: 10 }, () => randomUUID());
  const events = ids.map((id, i) => ({ id, data: post(author, `batch-${id}-${i}`) }));
  // The first event twice in the batch, as a redelivery racing its original could put it.
  const first = await deliverBatch(app.url, 'post.published', [...events, events[0]!]);
  t.deepEqual(Object.values(first), Array(10).fill('SUCCESS'));
  t.is((await sql('select 1 from notification where user_id = ? and event_id in (?)', [follower, ids])).length, 10);
  t.is((await sql('select 1 from inbox where event_id in (?)', [ids])).length, 10);
  const again = await deliverBatch(app.url, 'post.published', events);
  t.deepEqual(Object.values(again), Array(10).fill('SUCCESS'));
  t.is((await sql('select 1 from activity where event_id in (?)', [ids])).length, 10);
});

test('one failing event in a batch costs the others nothing: they are applied alone, it alone is retried', async (t) => {
  const { author, follower } = await authorWithFollower();
  const poison = `poison-${randomUUID()}`;
  const fn = `vcd_test_fail_${randomUUID().replace(/-/g, '')}`;
  await sql(`create function ${fn}() returns trigger language plpgsql as $$
    begin if new.article_id = '${poison}' then raise exception 'injected failure'; end if; return new; end $$`);
  await sql(`create trigger ${fn} before insert on activity for each row execute function ${fn}()`);
  const good = [randomUUID(), randomUUID(), randomUUID()];
  const bad = randomUUID();
  const forged = randomUUID();
  try {
    const statuses = await deliverBatch(app.url, 'post.published', [
      { id: good[0]!, data: post(author, `good-${good[0]}`) },
      { id: bad, data: post(author, poison) },
      { id: forged, data: post(author, `forged-${forged}`), source: 'user' },
      { id: good[1]!, data: post(author, `good-${good[1]}`) },
      { id: good[2]!, data: post(author, `good-${good[2]}`) },
    ]);
    t.deepEqual(statuses, { [good[0]!]: 'SUCCESS', [bad]: 'RETRY', [forged]: 'DROP', [good[1]!]: 'SUCCESS', [good[2]!]: 'SUCCESS' });
    t.deepEqual((await sql<{ event_id: string }>('select event_id from notification where user_id = ? and event_id in (?) order by event_id', [follower, [...good, bad, forged]])).map((r) => r.event_id), [...good].sort());
    t.deepEqual(await sql('select 1 from inbox where event_id in (?)', [[bad, forged]]), [], 'nothing of the failed or forged event is kept');
  } finally {
    await sql(`drop trigger ${fn} on activity`);
    await sql(`drop function ${fn}()`);
  }
  // Dapr redelivers the retried one alone, once the fault is gone.
  t.deepEqual(await deliverBatch(app.url, 'post.published', [{ id: bad, data: post(author, poison) }]), { [bad]: 'SUCCESS' });
  t.is((await sql('select 1 from notification where user_id = ? and event_id = ?', [follower, bad])).length, 1);
});

test('a payload that does not parse is dropped from its batch, and the rest of the batch is applied', async (t) => {
  const { author, follower } = await authorWithFollower();
  const good = [randomUUID(), randomUUID()];
  const malformed = randomUUID();
  const statuses = await deliverBatch(app.url, 'post.published', [
    { id: good[0]!, data: post(author, `m-${good[0]}`) },
    { id: malformed, data: { slug: 'no article id', authorId: author } },
    { id: good[1]!, data: post(author, `m-${good[1]}`) },
  ]);
  t.deepEqual(statuses, { [good[0]!]: 'SUCCESS', [malformed]: 'DROP', [good[1]!]: 'SUCCESS' });
  t.is((await sql('select 1 from notification where user_id = ? and event_id in (?)', [follower, good])).length, 2);
  t.deepEqual(await sql('select 1 from inbox where event_id = ?', [malformed]), []);
});

test('a batch of a topic without a set-based effect applies its events one after another in one transaction', async (t) => {
  const users = Array.from({ length: 5 }, () => ({ userId: randomUUID(), username: `batch${randomUUID().slice(0, 8)}`, version: 1 }));
  const events = users.map((u) => ({ id: randomUUID(), data: { ...u, email: `${u.username}@example.com` }, source: 'auth' }));
  const statuses = await deliverBatch(app.url, 'user.registered', events);
  t.deepEqual(Object.values(statuses), Array(5).fill('SUCCESS'));
  const rows = await sql<{ username: string }>('select username from profile where id in (?) order by username', [users.map((u) => u.userId)]);
  t.deepEqual(rows.map((r) => r.username), users.map((u) => u.username).sort());
});

test('two publications of one article in a batch: the newer title is kept, each event notifies once', async (t) => {
  const { author, follower } = await authorWithFollower();
  const articleId = `twice-${randomUUID()}`;
  const older = { ...post(author, articleId), articleId, title: 'Older', publishedAt: '2026-11-30T10:00:00.000Z' };
  const newer = { ...older, title: 'Newer', publishedAt: '2026-11-30T10:05:00.000Z' };
  const [a, b] = [randomUUID(), randomUUID()];
  // The newer first: delivery order is not publication order.
  t.deepEqual(await deliverBatch(app.url, 'post.published', [{ id: b, data: newer }, { id: a, data: older }]), { [b]: 'SUCCESS', [a]: 'SUCCESS' });
  t.deepEqual(await sql('select title from article where article_id = ?', [articleId]), [{ title: 'Newer' }]);
  t.is((await sql('select 1 from notification where user_id = ? and event_id in (?)', [follower, [a, b]])).length, 2);
});
