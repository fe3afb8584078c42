import test from 'ava';
import { DEFAULT_AVATAR } from '../support/stack.js';
import { api, eventually, notificationsOf, publishAs, query, registerUser } from '../../services/user/test/support/user-stack.js';

const outboxOf = (topic: string, followerId: string) =>
  query<{ payload: Record<string, string>; published_at: Date | null }>(
    'user',
    `select payload, published_at from outbox where topic = $1 and payload->>'followerId' = $2 order by created_at`,
    [topic, followerId],
  );

test('a profile shows following relative to the caller; anonymous callers see false', async (t) => {
  const [me, them] = await Promise.all([registerUser('pa'), registerUser('pb')]);
  await api('POST', `/api/profiles/${them.username}/follow`, { token: me.token });
  const mine = await api('GET', `/api/profiles/${them.username}`, { token: me.token });
  t.is(mine.status, 200);
  t.deepEqual(mine.body, { profile: { username: them.username, bio: null, image: DEFAULT_AVATAR, following: true } });
  const anonymous = await api('GET', `/api/profiles/${them.username}`);
  t.false(anonymous.body.profile.following);
  const theirs = await api('GET', `/api/profiles/${me.username}`, { token: them.token });
  t.false(theirs.body.profile.following, 'following is one-way');
});

test('an unknown profile answers 404 with a stable code', async (t) => {
  const res = await api('GET', '/api/profiles/nobody-has-this-name');
  t.is(res.status, 404);
  t.is(res.body.code, 'USER.PROFILE_NOT_FOUND');
});

test('following records the follow once, emits user.followed through the outbox and notifies the followee', async (t) => {
  const [me, them] = await Promise.all([registerUser('fa'), registerUser('fb')]);
  const first = await api('POST', `/api/profiles/${them.username}/follow`, { token: me.token });
  t.is(first.status, 200);
  t.deepEqual(first.body, { profile: { username: them.username, bio: null, image: DEFAULT_AVATAR, following: true } });
  const again = await api('POST', `/api/profiles/${them.username}/follow`, { token: me.token });
  t.is(again.status, 200);
  t.true(again.body.profile.following);

  t.deepEqual(await query('user', 'select follower_id, followee_id from follow where follower_id = $1', [me.id]), [
    { follower_id: me.id, followee_id: them.id },
  ]);
  const events = await eventually(async () => {
    const rows = await outboxOf('user.followed', me.id);
    return rows.every((r) => r.published_at) && rows;
  });
  t.is(events.length, 1, 'a repeated follow emits nothing');
  t.deepEqual(events[0]!.payload, { followerId: me.id, followeeId: them.id });
  // The event comes back through pub/sub and becomes the followee's notification.
  const notes = await eventually(async () => {
    const rows = await notificationsOf(them.id);
    return rows.length > 0 && rows;
  });
  t.like(notes, [{ kind: 'new_follower', actor_id: me.id }]);
});

test('unfollowing removes the follow and emits user.unfollowed once', async (t) => {
  const [me, them] = await Promise.all([registerUser('ua'), registerUser('ub')]);
  await api('POST', `/api/profiles/${them.username}/follow`, { token: me.token });
  const res = await api('DELETE', `/api/profiles/${them.username}/follow`, { token: me.token });
  t.is(res.status, 200);
  t.deepEqual(res.body, { profile: { username: them.username, bio: null, image: DEFAULT_AVATAR, following: false } });
  const again = await api('DELETE', `/api/profiles/${them.username}/follow`, { token: me.token });
  t.is(again.status, 200);
  t.false(again.body.profile.following);
  t.deepEqual(await query('user', 'select 1 from follow where follower_id = $1', [me.id]), []);
  const events = await outboxOf('user.unfollowed', me.id);
  t.is(events.length, 1);
  t.deepEqual(events[0]!.payload, { followerId: me.id, followeeId: them.id });
});

test('follow needs a login, an existing user, and someone other than yourself', async (t) => {
  const me = await registerUser('fs');
  const anonymous = await api('POST', `/api/profiles/${me.username}/follow`);
  t.is(anonymous.status, 401);
  const unknown = await api('POST', '/api/profiles/nobody-has-this-name/follow', { token: me.token });
  t.is(unknown.status, 404);
  const unknownDelete = await api('DELETE', '/api/profiles/nobody-has-this-name/follow', { token: me.token });
  t.is(unknownDelete.status, 404);
  const self = await api('POST', `/api/profiles/${me.username}/follow`, { token: me.token });
  t.is(self.status, 422);
  t.deepEqual(self.body.errors, { username: ['cannot follow yourself'] });
  t.deepEqual(await query('user', 'select 1 from follow where follower_id = $1', [me.id]), []);
});

test('followers and following are paginated, newest first, with following relative to the viewer', async (t) => {
  const [star, viewer, ...fans] = await Promise.all([registerUser('ls'), registerUser('lv'), registerUser('l1'), registerUser('l2'), registerUser('l3')]);
  for (const fan of fans) t.is((await api('POST', `/api/profiles/${star.username}/follow`, { token: fan.token })).status, 200);
  await api('POST', `/api/profiles/${fans[0]!.username}/follow`, { token: viewer.token });

  const page1 = await api('GET', `/api/profiles/${star.username}/followers?limit=2`, { token: viewer.token });
  t.is(page1.status, 200);
  t.is(page1.body.profilesCount, 3);
  t.deepEqual(page1.body.profiles.map((p: { username: string }) => p.username), [fans[2]!.username, fans[1]!.username]);
  const page2 = await api('GET', `/api/profiles/${star.username}/followers?limit=2&offset=2`, { token: viewer.token });
  t.deepEqual(page2.body.profiles, [{ username: fans[0]!.username, bio: null, image: DEFAULT_AVATAR, following: true }]);
  t.is(page2.body.profilesCount, 3);
  const beyond = await api('GET', `/api/profiles/${star.username}/followers?offset=10`);
  t.deepEqual(beyond.body, { profiles: [], profilesCount: 3 });

  const following = await api('GET', `/api/profiles/${fans[0]!.username}/following`);
  t.deepEqual(following.body, { profiles: [{ username: star.username, bio: null, image: DEFAULT_AVATAR, following: false }], profilesCount: 1 });
  const nobody = await api('GET', `/api/profiles/${viewer.username}/followers`);
  t.deepEqual(nobody.body, { profiles: [], profilesCount: 0 });
});

test('list paging is validated and names the field', async (t) => {
  const me = await registerUser('lq');
  const res = await api('GET', `/api/profiles/${me.username}/followers?limit=0&offset=-1`);
  t.is(res.status, 422);
  t.deepEqual(Object.keys(res.body.errors).sort(), ['limit', 'offset']);
  const big = await api('GET', `/api/profiles/${me.username}/following?limit=1000`);
  t.is(big.status, 422);
  t.truthy(big.body.errors.limit);
  t.is((await api('GET', '/api/profiles/nobody-has-this-name/followers')).status, 404);
  t.is((await api('GET', '/api/profiles/nobody-has-this-name/activity')).status, 404);
});

test("a user's activity lists what they published, commented and reacted to, newest first", async (t) => {
  const [author, reader] = await Promise.all([registerUser('aa'), registerUser('ar')]);
  const slug = `post-${author.username}`;
  const articleId = `a-${author.username}`;
  await publishAs('blog', 'post.published', {
    articleId, slug, title: 'Hello', authorId: author.id, publishedAt: '2026-01-01T00:00:00.000Z',
  });
  await publishAs('blog', 'comment.created', {
    commentId: 'c1', articleId, articleAuthorId: author.id, authorId: reader.id, parentId: null, parentAuthorId: null,
  });
  await publishAs('blog', 'reaction.added', {
    kind: 'love', userId: reader.id, targetType: 'article', targetId: articleId, articleId, targetAuthorId: author.id,
  });

  const authorActivity = await eventually(async () => {
    const r = await api('GET', `/api/profiles/${author.username}/activity`);
    return r.body.activitiesCount === 1 && r;
  });
  t.deepEqual(authorActivity.body.activities, [
    { kind: 'published', createdAt: '2026-01-01T00:00:00.000Z', article: { slug, title: 'Hello' }, commentId: null, targetType: null, reaction: null },
  ]);
  const readerActivity = await eventually(async () => {
    const r = await api('GET', `/api/profiles/${reader.username}/activity?limit=10`);
    return r.body.activitiesCount === 2 && r;
  });
  const kinds = readerActivity.body.activities.map((a: { kind: string }) => a.kind).sort();
  t.deepEqual(kinds, ['commented', 'reacted']);
  const reacted = readerActivity.body.activities.find((a: { kind: string }) => a.kind === 'reacted');
  t.like(reacted, { reaction: 'love', targetType: 'article', article: { slug } });
  const onePage = await api('GET', `/api/profiles/${reader.username}/activity?limit=1&offset=1`);
  t.is(onePage.body.activities.length, 1);
  t.is(onePage.body.activitiesCount, 2);
});
