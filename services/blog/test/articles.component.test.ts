import test from 'ava';
import { randomUUID } from 'node:crypto';
import type { Identity } from '@vcd/http';
import { startBlog, type BlogApp } from '../../../test/support/service-apps.js';

/**
 * The blog service in-process (its buildApp) against a migrated database of its own, with an in-memory user
 * directory where the user service's gRPC through daprd would be: creating, listing and updating articles over
 * HTTP as daprd delivers them from the gateway (identity headers), the Idempotency-Key, and the events a write
 * leaves in the outbox.
 */
let blog: BlogApp;
test.before(async () => {
  blog = await startBlog();
});
test.after.always(async () => {
  await blog?.close();
});

let n = 0;
const someone = (role: Identity['role'] = 'user') => blog.users.add(`a${process.pid}x${n++}`, role);
const title = (what: string) => `${what} ${randomUUID().slice(0, 8)}`;
const create = (as: Identity, article: Record<string, unknown>, key?: string) =>
  blog.call('POST', '/api/articles', { as, body: { article }, headers: key ? { 'idempotency-key': key } : {} });
const outbox = (articleId: string) =>
  blog.db.sql<{ topic: string; payload: Record<string, unknown> }>(`select topic, payload from outbox where payload->>'articleId' = ? order by created_at`, [articleId]);
const idOf = async (slug: string) => (await blog.db.sql<{ id: string }>('select id from article where slug = ?', [slug]))[0]!.id;

test('creating an article answers it with its author card from the user directory and announces it in the outbox', async (t) => {
  const jake = someone();
  const wakes = blog.wakes();
  const res = await create(jake, { title: title('Hello Dapr'), description: 'd', body: 'b', tagList: ['dapr', 'koa'] });
  t.is(res.status, 201, JSON.stringify(res.body));
  t.like(res.body.article, { description: 'd', body: 'b', favorited: false, favoritesCount: 0, author: { username: jake.username, following: false } });
  t.deepEqual([...res.body.article.tagList].sort(), ['dapr', 'koa']);
  t.regex(res.body.article.slug, /^hello-dapr-/);
  const events = await outbox(await idOf(res.body.article.slug));
  t.deepEqual(events.map((e) => e.topic), ['post.published']);
  t.like(events[0]!.payload, { slug: res.body.article.slug, authorId: jake.userId });
  t.true(blog.wakes() > wakes, 'the committed write woke the relay');
});

test('articles created at once with one title get distinct slugs, and every new tag they share is linked to each of them', async (t) => {
  const jake = someone();
  const same = title('Same title');
  // Tags no article has yet, created by 12 concurrent transactions: each links all of them, whichever created it.
  const fresh = [title('tag-a'), title('tag-b'), title('tag-c')].map((x) => x.toLowerCase());
  const created = await Promise.all(Array.from({ length: 12 }, () => create(jake, { title: same, description: 'd', body: 'b', tagList: [...fresh, 'shared'] })));
  for (const res of created) t.is(res.status, 201, JSON.stringify(res.body));
  const slugs = created.map((res) => res.body.article.slug as string);
  t.is(new Set(slugs).size, 12, 'one slug each');
  for (const res of created) t.deepEqual([...res.body.article.tagList].sort(), [...fresh, 'shared'].sort());
  const links = await blog.db.sql<{ slug: string; n: number }>(
    `select a.slug, count(*)::int as n from article a join article_tag at on at.article_id = a.id join tag on tag.id = at.tag_id
     where a.slug in (select jsonb_array_elements_text(?::jsonb)) and tag.name in (select jsonb_array_elements_text(?::jsonb)) group by a.slug`,
    [JSON.stringify(slugs), JSON.stringify([...fresh, 'shared'])],
  );
  t.deepEqual(links.map((l) => l.n), Array(12).fill(4), 'every article has its four tags in the database');
  const claimed = await blog.db.sql<{ n: number }>('select count(*)::int as n from article_slug where slug in (select jsonb_array_elements_text(?::jsonb))', [JSON.stringify(slugs)]);
  t.is(claimed[0]!.n, 12, 'no slug claimed for an article that does not exist');
  t.is((await blog.db.sql<{ n: number }>('select count(*)::int as n from tag where name in (select jsonb_array_elements_text(?::jsonb))', [JSON.stringify(fresh)]))[0]!.n, 3, 'each tag once');
});

test('a new tag another transaction creates while the article is written is still linked to the article', async (t) => {
  const jake = someone();
  const racing = title('racing-tag').toLowerCase();
  // Another transaction creates the tag and holds it uncommitted: the create waits on it, and the tag it then finds
  // was committed after its statement began, so that statement alone neither created nor saw it.
  const other = blog.db.orm.em.fork();
  await other.begin();
  await other.execute('insert into tag (name) values (?)', [racing]);
  let settled = false;
  const pending = create(jake, { title: title('Racing'), description: 'd', body: 'b', tagList: [racing, 'shared'] }).finally(() => (settled = true));
  await new Promise((resolve) => setTimeout(resolve, 400));
  t.false(settled, 'the create waited for the other transaction');
  await other.commit();
  const res = await pending;
  t.is(res.status, 201, JSON.stringify(res.body));
  const linked = await blog.db.sql<{ name: string }>(
    'select tag.name from article a join article_tag at on at.article_id = a.id join tag on tag.id = at.tag_id where a.slug = ? order by tag.name',
    [res.body.article.slug],
  );
  t.deepEqual(linked.map((r) => r.name), [racing, 'shared'].sort());
});

test('the list shows published articles newest first, filters by author and tag, and hides drafts from others', async (t) => {
  const [jane, reader] = [someone(), someone()];
  const tag = `t${randomUUID().slice(0, 8)}`;
  const older = await create(jane, { title: title('Older'), description: 'd', body: 'b', tagList: [tag] });
  const newer = await create(jane, { title: title('Newer'), description: 'd', body: 'b', tagList: [tag] });
  const draft = await create(jane, { title: title('Draft'), description: 'd', body: 'b', tagList: [tag], status: 'draft' });
  t.deepEqual([older.status, newer.status, draft.status], [201, 201, 201]);

  const byTag = await blog.call('GET', `/api/articles?tag=${tag}`, { as: reader });
  t.is(byTag.status, 200);
  t.deepEqual(byTag.body.articles.map((a: { slug: string }) => a.slug), [newer.body.article.slug, older.body.article.slug]);
  t.is(byTag.body.articlesCount, 2);
  const anonymous = await blog.call('GET', `/api/articles?author=${jane.username}`);
  t.deepEqual(anonymous.body.articles.map((a: { slug: string }) => a.slug), [newer.body.article.slug, older.body.article.slug]);
  t.is((await blog.call('GET', `/api/articles/${draft.body.article.slug}`, { as: reader })).status, 404, 'a draft is the author’s own');
  t.is((await blog.call('GET', `/api/articles/${draft.body.article.slug}`, { as: jane })).status, 200);
});

test('updating the title renames the slug, the old slug still resolves, and only the author may update', async (t) => {
  const [jake, other] = [someone(), someone()];
  const created = await create(jake, { title: title('Before'), description: 'd', body: 'b', tagList: ['a', 'b'] });
  const slug = created.body.article.slug as string;
  const forbidden = await blog.call('PUT', `/api/articles/${slug}`, { as: other, body: { article: { body: 'mine now' } } });
  t.is(forbidden.status, 403);
  const newTitle = title('After');
  const updated = await blog.call('PUT', `/api/articles/${slug}`, { as: jake, body: { article: { title: newTitle, body: 'edited', tagList: ['x'] } } });
  t.is(updated.status, 200, JSON.stringify(updated.body));
  t.regex(updated.body.article.slug, /^after-/);
  t.like(updated.body.article, { title: newTitle, body: 'edited', description: 'd', tagList: ['x'] });
  t.true(updated.body.article.updatedAt >= updated.body.article.createdAt);
  const old = await blog.call('GET', `/api/articles/${slug}`);
  t.is(old.status, 200);
  t.is(old.body.article.slug, updated.body.article.slug);
  t.deepEqual((await outbox(await idOf(updated.body.article.slug))).map((e) => e.topic), ['post.published', 'post.updated']);
});

test('a create retried with the same Idempotency-Key answers the first article and creates nothing new, even at once', async (t) => {
  const jake = someone();
  const key = randomUUID();
  const article = { title: title('Idempotent'), description: 'd', body: 'b' };
  const answers = await Promise.all(Array.from({ length: 3 }, () => create(jake, article, key)));
  t.deepEqual(answers.map((a) => a.status), [201, 201, 201]);
  t.is(new Set(answers.map((a) => a.body.article.slug)).size, 1);
  t.is(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true').length, 2);
  const later = await create(jake, article, key); // a retry after all of them answered
  t.deepEqual([later.status, later.headers.get('idempotent-replayed'), later.body.article.slug], [201, 'true', answers[0]!.body.article.slug]);
  const rows = await blog.db.sql<{ id: string }>('select id from article where author_id = ? and title = ?', [jake.userId, article.title]);
  t.is(rows.length, 1);
  t.deepEqual((await outbox(rows[0]!.id)).map((e) => e.topic), ['post.published'], 'one event');
});

test('the same key with different content is a conflict, keys are per author, no key creates every time, a bad key is refused', async (t) => {
  const [jake, jane] = [someone(), someone()];
  const key = randomUUID();
  const first = await create(jake, { title: title('One'), description: 'd', body: 'b' }, key);
  t.is(first.status, 201);
  const other = await create(jake, { title: title('Other'), description: 'd', body: 'b' }, key);
  t.deepEqual([other.status, other.body.code], [409, 'BLOG.IDEMPOTENCY_KEY_REUSED']);
  const janes = await create(jane, { title: title('Janes'), description: 'd', body: 'b' }, key);
  t.deepEqual([janes.status, janes.headers.get('idempotent-replayed')], [201, null]);
  t.not(janes.body.article.slug, first.body.article.slug);
  const same = { title: title('Twice'), description: 'd', body: 'b' };
  const [a, b] = [await create(jake, same), await create(jake, same)];
  t.deepEqual([a.status, b.status], [201, 201]);
  t.not(a.body.article.slug, b.body.article.slug, 'without a key the same article is created again');
  t.is((await create(jake, { title: title('Bad key'), description: 'd', body: 'b' }, 'x'.repeat(256))).status, 422);
});

test('writes need an identity from the gateway; invalid fields are 422 in the RealWorld shape', async (t) => {
  const jake = someone();
  t.is((await blog.call('POST', '/api/articles', { body: { article: { title: title('Anon'), description: 'd', body: 'b' } } })).status, 401);
  const fromElsewhere = await blog.call('POST', '/api/articles', { as: jake, caller: 'user', body: { article: { title: title('Spoofed'), description: 'd', body: 'b' } } });
  t.not(fromElsewhere.status, 201, 'identity headers count only from the gateway');
  const invalid = await create(jake, { title: '', description: 'd', body: 'b' });
  t.is(invalid.status, 422);
  t.truthy(invalid.body.errors.title, JSON.stringify(invalid.body));
});
