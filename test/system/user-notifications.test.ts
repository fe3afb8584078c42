import test from 'ava';
import { DEFAULT_AVATAR } from '../support/stack.js';
import { randomUUID } from 'node:crypto';
import { api, eventually, notificationsOf, publishAs, query, registerUser } from '../../services/user/test/support/user-stack.js';

const follow = (who: { token: string }, whom: { username: string }) => api('POST', `/api/profiles/${whom.username}/follow`, { token: who.token });
const waitForCount = (userId: string, n: number) =>
  eventually(async () => {
    const rows = await notificationsOf(userId);
    return rows.length >= n && rows;
  });
/** Publishes an event as the blog would and waits until the user service has handled it (its inbox has the id). */
async function blogEvent(topic: string, data: unknown) {
  const id = await publishAs('blog', topic, data);
  await eventually(async () => (await query('user', 'select 1 from inbox where event_id = $1', [id])).length === 1);
  return id;
}

test("when an author publishes, each follower who wants it gets a notification; the author does not", async (t) => {
  const [author, fan, quiet, stranger] = await Promise.all([registerUser('na'), registerUser('nf'), registerUser('nq'), registerUser('ns')]);
  await follow(fan, author);
  await follow(quiet, author);
  await api('PUT', '/api/user/preferences', { token: quiet.token, body: { preferences: { notifications: { newPosts: false } } } });
  const slug = `hello-${author.username}`;
  const articleId = randomUUID();
  const eventId = await blogEvent('post.published', { articleId, slug, title: 'Hello', authorId: author.id, publishedAt: new Date().toISOString() });

  t.deepEqual(await notificationsOf(fan.id), [{ kind: 'new_post', actor_id: author.id, event_id: eventId, article_id: articleId }]);
  t.deepEqual(await notificationsOf(quiet.id), [], 'newPosts switched off');
  t.deepEqual(await notificationsOf(stranger.id), [], 'not a follower');
  // The author's own notifications hold only the two new followers.
  t.deepEqual((await notificationsOf(author.id)).map((n) => n.kind).filter((k) => k !== 'new_follower'), []);

  const list = await api('GET', '/api/user/notifications', { token: fan.token });
  t.is(list.status, 200);
  t.is(list.body.notificationsCount, 1);
  t.like(list.body.notifications[0], { kind: 'new_post', read: false, actor: { username: author.username, image: DEFAULT_AVATAR }, article: { slug, title: 'Hello' } });
  t.regex(list.body.notifications[0].createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
});

test("a comment notifies the article's author; a reply also notifies the parent comment's author; never yourself", async (t) => {
  const [author, commenter, replier] = await Promise.all([registerUser('ca'), registerUser('cc'), registerUser('cr')]);
  const base = { articleId: randomUUID(), articleAuthorId: author.id };
  await blogEvent('comment.created', { ...base, commentId: 'c1', authorId: commenter.id, parentId: null, parentAuthorId: null });
  await blogEvent('comment.created', { ...base, commentId: 'c2', authorId: replier.id, parentId: 'c1', parentAuthorId: commenter.id });
  await blogEvent('comment.created', { ...base, commentId: 'c3', authorId: author.id, parentId: 'c2', parentAuthorId: replier.id });
  await blogEvent('comment.created', { ...base, commentId: 'c4', authorId: author.id, parentId: null, parentAuthorId: null });

  t.deepEqual((await notificationsOf(author.id)).map((n) => [n.kind, n.actor_id]), [
    ['comment', commenter.id],
    ['comment', replier.id],
  ]);
  t.deepEqual((await notificationsOf(commenter.id)).map((n) => [n.kind, n.actor_id]), [['reply', replier.id]]);
  t.deepEqual((await notificationsOf(replier.id)).map((n) => [n.kind, n.actor_id]), [['reply', author.id]]);
});

test("a reply to the article author's own comment notifies them once", async (t) => {
  const [author, replier] = await Promise.all([registerUser('oa'), registerUser('or')]);
  await blogEvent('comment.created', {
    articleId: randomUUID(), articleAuthorId: author.id, commentId: 'c2', authorId: replier.id, parentId: 'c1', parentAuthorId: author.id,
  });
  t.deepEqual((await notificationsOf(author.id)).map((n) => n.kind), ['reply']);
});

test('a reaction notifies the author of its target unless they switched reactions off or reacted themselves', async (t) => {
  const [author, fan, picky] = await Promise.all([registerUser('ra'), registerUser('rf'), registerUser('rp')]);
  await api('PUT', '/api/user/preferences', { token: picky.token, body: { preferences: { notifications: { reactions: false } } } });
  // Notifications about an article are shown while it is public: here it is.
  const [a, b] = [randomUUID(), randomUUID()];
  await blogEvent('post.published', { articleId: a, slug: `s-${a}`, title: 'S', authorId: author.id, publishedAt: new Date().toISOString() });
  await blogEvent('reaction.added', { kind: 'like', userId: fan.id, targetType: 'comment', targetId: 'c9', articleId: a, targetAuthorId: author.id });
  await blogEvent('reaction.added', { kind: 'like', userId: author.id, targetType: 'article', targetId: a, articleId: a, targetAuthorId: author.id });
  await blogEvent('reaction.added', { kind: 'love', userId: fan.id, targetType: 'article', targetId: b, articleId: b, targetAuthorId: picky.id });
  const list = await api('GET', '/api/user/notifications', { token: author.token });
  t.is(list.body.notificationsCount, 1);
  t.like(list.body.notifications[0], { kind: 'reaction', reaction: 'like', commentId: 'c9', actor: { username: fan.username }, article: { slug: `s-${a}`, title: 'S' } });
  t.deepEqual(await notificationsOf(picky.id), []);
});

test('notifications can be read one by one or all at once; unread counts follow', async (t) => {
  const [me, a, b, c] = await Promise.all([registerUser('ma'), registerUser('mb'), registerUser('mc'), registerUser('md')]);
  for (const u of [a, b, c]) await follow(u, me);
  await waitForCount(me.id, 3);
  t.deepEqual((await api('GET', '/api/user/notifications/unread-count', { token: me.token })).body, { unreadCount: 3 });

  const page = await api('GET', '/api/user/notifications?limit=2', { token: me.token });
  t.is(page.body.notifications.length, 2);
  t.is(page.body.notificationsCount, 3);
  const first = page.body.notifications[0];
  const read = await api('POST', `/api/user/notifications/${first.id}/read`, { token: me.token });
  t.is(read.status, 200);
  t.like(read.body.notification, { id: first.id, read: true, kind: 'new_follower' });
  t.deepEqual((await api('GET', '/api/user/notifications/unread-count', { token: me.token })).body, { unreadCount: 2 });
  const unreadOnly = await api('GET', '/api/user/notifications?unread=true', { token: me.token });
  t.is(unreadOnly.body.notificationsCount, 2);
  t.false(unreadOnly.body.notifications.some((n: { id: string }) => n.id === first.id));

  const all = await api('POST', '/api/user/notifications/read-all', { token: me.token });
  t.deepEqual(all.body, { marked: 2, unreadCount: 0 });
  t.deepEqual((await api('GET', '/api/user/notifications/unread-count', { token: me.token })).body, { unreadCount: 0 });
  t.deepEqual(await query('user', 'select count(*)::int as n from notification where user_id = $1 and read_at is null', [me.id]), [{ n: 0 }]);
});

test("nobody can read someone else's notification; bad ids and missing logins are refused", async (t) => {
  const [me, other] = await Promise.all([registerUser('xa'), registerUser('xb')]);
  await follow(other, me);
  const [mine] = await waitForCount(me.id, 1).then(() => query<{ id: string }>('user', 'select id from notification where user_id = $1', [me.id]));
  const theirs = await api('POST', `/api/user/notifications/${mine!.id}/read`, { token: other.token });
  t.is(theirs.status, 404);
  t.is(theirs.body.code, 'USER.NOTIFICATION_NOT_FOUND');
  t.deepEqual(await query('user', 'select read_at from notification where id = $1', [mine!.id]), [{ read_at: null }]);
  const bad = await api('POST', '/api/user/notifications/not-an-id/read', { token: me.token });
  t.is(bad.status, 422);
  t.truthy(bad.body.errors.id);
  const badQuery = await api('GET', '/api/user/notifications?unread=maybe', { token: me.token });
  t.is(badQuery.status, 422);
  t.truthy(badQuery.body.errors.unread);
  for (const [method, path] of [
    ['GET', '/api/user/notifications'],
    ['GET', '/api/user/notifications/unread-count'],
    ['POST', '/api/user/notifications/read-all'],
    ['POST', `/api/user/notifications/${mine!.id}/read`],
  ] as const) {
    t.is((await api(method, path)).status, 401, `${method} ${path}`);
  }
});
