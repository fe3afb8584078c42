import test from 'ava';
import { randomUUID } from 'node:crypto';
import type { Identity } from '@vcd/http';
import { UnitOfWork } from '@vcd/messaging';
import { publishDuePosts } from '../src/usecases/publish-due-posts.js';
import { startBlog, type BlogApp } from '../../../test/support/service-apps.js';

/**
 * Viewer-relative pages (issue 17): a signed-in list is the anonymous page (computed once, cached) with the
 * viewer's own flags added: `favorited` and `myReactions` from one query, `following` from the follow cache that
 * user.followed / user.unfollowed drop. The blog app runs with both caches as main.ts wires them.
 */
let blog: BlogApp;
test.before(async () => {
  blog = await startBlog({ caches: true });
});
test.after.always(async () => {
  await blog?.close();
});

let n = 0;
const someone = () => blog.users.add(`v${process.pid}x${n++}`);
const create = async (as: Identity, tag: string) => {
  const res = await blog.call('POST', '/api/articles', { as, body: { article: { title: `T ${randomUUID().slice(0, 8)}`, description: 'd', body: 'b', tagList: [tag] } } });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body.article.slug as string;
};
const list = (tag: string, as?: Identity) => blog.call('GET', `/api/articles?tag=${tag}`, { as });
type Listed = { slug: string; favorited: boolean; myReactions: string[]; favoritesCount: number; author: { username: string; following: boolean } };
const bySlug = (body: { articles: Listed[] }) => Object.fromEntries(body.articles.map((a) => [a.slug, a]));

/** Delivers a follow event as the user service's sidecar would (through the broadcast component). */
async function deliver(topic: 'user.followed' | 'user.unfollowed', followerId: string, followeeId: string) {
  const res = await fetch(`${blog.url}/events/${topic}`, {
    method: 'POST',
    headers: { 'dapr-api-token': blog.appApiToken, 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify({ specversion: '1.0', id: randomUUID(), source: 'user', type: topic, datacontenttype: 'application/json', data: { followerId, followeeId } }),
  });
  return ((await res.json()) as { status: string }).status;
}

test('each viewer sees their own favorites, reactions and follows on the shared page; anonymous readers see none', async (t) => {
  const tag = `vp${randomUUID().slice(0, 8)}`;
  const [jane, bob, reader, other] = [someone(), someone(), someone(), someone()];
  const janes = await create(jane, tag);
  const bobs = await create(bob, tag);
  t.is((await blog.call('POST', `/api/articles/${janes}/favorite`, { as: reader })).status, 200);
  t.is((await blog.call('POST', `/api/articles/${bobs}/reactions/like`, { as: reader })).status, 200);
  t.is((await blog.call('POST', `/api/articles/${bobs}/favorite`, { as: other })).status, 200);
  blog.users.follows.set(reader.userId, new Set([jane.userId]));

  const mine = bySlug((await list(tag, reader)).body);
  t.like(mine[janes], { favorited: true, favoritesCount: 1, myReactions: [], author: { username: jane.username, following: true } });
  t.like(mine[bobs], { favorited: false, favoritesCount: 1, author: { username: bob.username, following: false } });
  t.deepEqual(mine[bobs]!.myReactions, ['like']);

  const theirs = bySlug((await list(tag, other)).body);
  t.like(theirs[janes], { favorited: false, author: { following: false } });
  t.like(theirs[bobs], { favorited: true, myReactions: [] });

  const signedIn = await list(tag, reader);
  t.is(signedIn.headers.get('gateway-cache-control'), 'max-age=60', 'a viewer\'s copy may be kept by the gateway, for that viewer (ADR 21)');
  t.is(signedIn.headers.get('cache-control'), 'private, no-cache', 'and by no other cache');
  const anonymousAnswer = await list(tag);
  t.is(anonymousAnswer.headers.get('cache-control'), 'public, max-age=0, s-maxage=60', 'as long as blog keeps the page (60 s here)');
  t.is(anonymousAnswer.headers.get('gateway-cache-control'), null);
  const anonymous = bySlug(anonymousAnswer.body);
  for (const a of Object.values(anonymous)) t.like(a, { favorited: false, myReactions: [], author: { following: false } });
  t.like(anonymous[janes], { favoritesCount: 1 });
});

// Serial: another test's write would empty the cache in between.
test.serial('the shared page is computed once for every reader; follows are asked once per viewer', async (t) => {
  const tag = `vq${randomUUID().slice(0, 8)}`;
  const author = someone();
  await create(author, tag);
  const readers = [someone(), someone(), someone()];
  await list(tag); // computes the page (and asks for its author cards once)
  const [profileCalls, followCalls] = [blog.users.calls, blog.users.followingCalls];
  for (const reader of readers) t.is((await list(tag, reader)).status, 200);
  for (const reader of readers) t.is((await list(tag, reader)).status, 200);
  t.is(blog.users.calls, profileCalls, 'no profile call for a signed-in page');
  t.is(blog.users.followingCalls, followCalls + readers.length, 'one follow look-up per viewer, then the cache');
});

test('a follow event drops the viewer\'s cached follows: the next page shows it, no TTL waited for', async (t) => {
  const tag = `vf${randomUUID().slice(0, 8)}`;
  const [author, reader] = [someone(), someone()];
  const slug = await create(author, tag);
  t.false(bySlug((await list(tag, reader)).body)[slug]!.author.following);
  blog.users.follows.set(reader.userId, new Set([author.userId]));
  t.false(bySlug((await list(tag, reader)).body)[slug]!.author.following, 'cached until the event');
  t.is(await deliver('user.followed', reader.userId, author.userId), 'SUCCESS');
  t.true(bySlug((await list(tag, reader)).body)[slug]!.author.following);
  const feed = await blog.call('GET', '/api/articles/feed', { as: reader });
  t.deepEqual(feed.body.articles.map((a: Listed) => [a.slug, a.author.following]), [[slug, true]]);

  blog.users.follows.set(reader.userId, new Set());
  t.is(await deliver('user.unfollowed', reader.userId, author.userId), 'SUCCESS');
  t.false(bySlug((await list(tag, reader)).body)[slug]!.author.following);
  t.is((await blog.call('GET', '/api/articles/feed', { as: reader })).body.articlesCount, 0);
});

test('a reader sees a write at once: a new article and a favorite show on the next page, signed in or not', async (t) => {
  const tag = `vw${randomUUID().slice(0, 8)}`;
  const [author, reader] = [someone(), someone()];
  const first = await create(author, tag);
  t.is((await list(tag)).body.articlesCount, 1);
  t.is((await list(tag, reader)).body.articlesCount, 1);
  const second = await create(author, tag);
  t.deepEqual((await list(tag)).body.articles.map((a: Listed) => a.slug), [second, first]);
  t.deepEqual((await list(tag, reader)).body.articles.map((a: Listed) => a.slug), [second, first]);
  t.is((await blog.call('POST', `/api/articles/${first}/favorite`, { as: reader })).status, 200);
  t.like(bySlug((await list(tag, reader)).body)[first], { favorited: true, favoritesCount: 1 });
  t.like(bySlug((await list(tag)).body)[first], { favorited: false, favoritesCount: 1 });
});

test('an author whose card the user service does not know yet sees their own name on their articles', async (t) => {
  const tag = `vu${randomUUID().slice(0, 8)}`;
  const author = someone();
  const slug = await create(author, tag);
  blog.users.people.delete(author.userId); // as if their user.registered had not reached the user service yet
  const newTag = `${tag}b`;
  const fresh = await create(author, newTag);
  t.is(bySlug((await list(newTag)).body)[fresh]!.author.username, 'unknown');
  t.is(bySlug((await list(newTag, author)).body)[fresh]!.author.username, author.username);
  t.truthy(slug);
});

test('drafts stay their author\'s: a list of drafts is asked per viewer, never from the shared page', async (t) => {
  const author = someone();
  const res = await blog.call('POST', '/api/articles', { as: author, body: { article: { title: `D ${randomUUID().slice(0, 8)}`, description: 'd', body: 'b', status: 'draft' } } });
  t.is(res.status, 201);
  const own = await blog.call('GET', `/api/articles?status=draft&author=${author.username}`, { as: author });
  t.deepEqual(own.body.articles.map((a: Listed) => a.slug), [res.body.article.slug]);
  t.is(own.headers.get('gateway-cache-control'), null, 'a list of drafts is kept by no cache');
  const stranger = await blog.call('GET', `/api/articles?status=draft&author=${author.username}`, { as: someone() });
  t.is(stranger.body.articlesCount, 0);
  t.is((await blog.call('GET', `/api/articles?status=draft&author=${author.username}`)).body.articlesCount, 0);
});

// Serial: another test's write would empty the cache in between.
test.serial('a comment empties no public page (none shows comments); a favorite does', async (t) => {
  const tag = `vc${randomUUID().slice(0, 8)}`;
  const [author, reader] = [someone(), someone()];
  const slug = await create(author, tag);
  await list(tag);
  t.is((await blog.call('POST', `/api/articles/${slug}/comments`, { as: reader, body: { comment: { body: 'nice' } } })).status, 200);
  const afterComment = blog.users.calls;
  await list(tag);
  t.is(blog.users.calls, afterComment, 'the page was still cached after the comment');
  t.is((await blog.call('POST', `/api/articles/${slug}/favorite`, { as: reader })).status, 200);
  const afterFavorite = blog.users.calls;
  t.like(bySlug((await list(tag)).body)[slug], { favoritesCount: 1 });
  t.is(blog.users.calls, afterFavorite + 1, 'the favorite emptied it: the page was computed again');
});

test.serial('the scheduler empties the public pages when it publishes (no request made that write)', async (t) => {
  const tag = `vs${randomUUID().slice(0, 8)}`;
  const author = someone();
  const res = await blog.call('POST', '/api/articles', {
    as: author,
    body: { article: { title: `S ${randomUUID().slice(0, 8)}`, description: 'd', body: 'b', tagList: [tag], status: 'scheduled', publishAt: new Date(Date.now() + 3_600_000).toISOString() } },
  });
  t.is(res.status, 201);
  t.is((await list(tag)).body.articlesCount, 0, 'cached now, for 60 s');
  await blog.db.sql(`update article set publish_at = now() - interval '1 second' where slug = ?`, [res.body.article.slug]); // its time has come
  t.is(await publishDuePosts({ uow: new UnitOfWork(() => blog.db.orm.em.fork()), publicPages: blog.publicPages! }, 10), 1);
  t.deepEqual((await list(tag)).body.articles.map((a: Listed) => a.slug), [res.body.article.slug]);
});

test('past a full first page the total is kept for the page TTL under writes; the articles themselves show a write at once', async (t) => {
  const tag = `vt${randomUUID().slice(0, 8)}`;
  const author = someone();
  await Promise.all(Array.from({ length: 3 }, () => create(author, tag)));
  const page = (offset: number, as?: Identity) => blog.call('GET', `/api/articles?tag=${tag}&limit=2&offset=${offset}`, { as });
  t.is((await page(2)).body.articlesCount, 3, 'counted');
  const newest = await create(author, tag);
  const first = await page(0);
  t.is(first.body.articles[0].slug, newest, 'the new article is on the first page at once');
  t.is(first.body.articlesCount, 3, 'its total is the one counted for this filter less than the TTL ago (60 s here; 1 s by default)');
  t.is((await page(0, someone())).body.articlesCount, 3, 'a signed-in reader gets the same shared page');
  t.is((await blog.call('GET', `/api/articles?tag=${tag}`)).body.articlesCount, 4, 'a first page that holds every article tells its total');
});
