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
