import test from 'ava';
import { DEFAULT_AVATAR } from '../support/stack.js';
import { api, articleIdOf, author, createArticle, editor, outboxFor, query } from '../../services/blog/test/support/blog-stack.js';

test('comments are added, listed with their authors, replied to, and announced with comment.created', async (t) => {
  const [jake, jane] = await Promise.all([author(), author()]);
  const article = await createArticle(jake);
  const first = await api('POST', `/api/articles/${article.slug}/comments`, { token: jane.token, body: { comment: { body: 'Great read' } } });
  t.is(first.status, 200);
  const c = first.body.comment;
  t.true(Number.isInteger(c.id));
  t.like(c, { body: 'Great read', parentId: null });
  t.deepEqual(c.author, { username: jane.username, bio: null, image: DEFAULT_AVATAR, following: false });
  t.regex(c.createdAt, /\.\d{3}Z$/);

  const reply = await api('POST', `/api/articles/${article.slug}/comments`, { token: jake.token, body: { comment: { body: 'Thanks!', parentId: c.id } } });
  t.is(reply.body.comment.parentId, c.id);

  const list = await api('GET', `/api/articles/${article.slug}/comments`);
  t.is(list.status, 200);
  t.deepEqual(list.body.comments.map((x: { id: number }) => x.id), [c.id, reply.body.comment.id]);
  t.deepEqual(list.body.comments.map((x: { author: { username: string } }) => x.author.username), [jane.username, jake.username]);

  const id = await articleIdOf(article.slug);
  const events = (await outboxFor(id)).filter((e) => e.topic === 'comment.created');
  t.is(events.length, 2);
  t.deepEqual(events[0]!.payload, { commentId: String(c.id), articleId: id, articleAuthorId: jake.id, authorId: jane.id, parentId: null, parentAuthorId: null });
  t.like(events[1]!.payload, { parentId: String(c.id), parentAuthorId: jane.id, authorId: jake.id });
});

test('bad comments are refused: empty body, a parent from elsewhere, an unknown article, no sign-in', async (t) => {
  const jake = await author();
  const [a, b] = await Promise.all([createArticle(jake), createArticle(jake)]);
  const empty = await api('POST', `/api/articles/${a.slug}/comments`, { token: jake.token, body: { comment: { body: '  ' } } });
  t.is(empty.status, 422);
  t.truthy(empty.body.errors.body);
  const other = await api('POST', `/api/articles/${b.slug}/comments`, { token: jake.token, body: { comment: { body: 'on b' } } });
  const crossed = await api('POST', `/api/articles/${a.slug}/comments`, { token: jake.token, body: { comment: { body: 'x', parentId: other.body.comment.id } } });
  t.deepEqual(crossed.body.errors, { parentId: ['does not exist on this article'] });
  t.is((await api('POST', '/api/articles/no-such-article-c/comments', { token: jake.token, body: { comment: { body: 'x' } } })).status, 404);
  t.is((await api('GET', '/api/articles/no-such-article-c/comments')).status, 404);
  t.is((await api('POST', `/api/articles/${a.slug}/comments`, { body: { comment: { body: 'x' } } })).status, 401);
  t.is((await api('DELETE', `/api/articles/${a.slug}/comments/abc`, { token: jake.token })).status, 422);
  t.deepEqual(await query('blog', 'select 1 from comment where article_id = $1', [await articleIdOf(a.slug)]), []);
});

test('a comment is edited by its author only, and deleted by its author or a moderator (204)', async (t) => {
  const [jake, jane, ed] = await Promise.all([author(), author(), editor()]);
  const article = await createArticle(jake);
  const post = (token: string, body: string) => api('POST', `/api/articles/${article.slug}/comments`, { token, body: { comment: { body } } });
  const mine = (await post(jane.token, 'first version')).body.comment;
  const edited = await api('PUT', `/api/articles/${article.slug}/comments/${mine.id}`, { token: jane.token, body: { comment: { body: 'second version' } } });
  t.is(edited.status, 200);
  t.is(edited.body.comment.body, 'second version');
  t.is((await api('PUT', `/api/articles/${article.slug}/comments/${mine.id}`, { token: jake.token, body: { comment: { body: 'nope' } } })).status, 403);
  t.is((await api('DELETE', `/api/articles/${article.slug}/comments/${mine.id}`, { token: jake.token })).status, 403);
  t.is((await api('PUT', `/api/articles/${article.slug}/comments/999999999`, { token: jane.token, body: { comment: { body: 'x' } } })).status, 404);

  const del = await api('DELETE', `/api/articles/${article.slug}/comments/${mine.id}`, { token: jane.token });
  t.is(del.status, 204);
  const moderated = (await post(jake.token, 'spam')).body.comment;
  t.is((await api('DELETE', `/api/articles/${article.slug}/comments/${moderated.id}`, { token: ed.token })).status, 204);
  t.deepEqual((await api('GET', `/api/articles/${article.slug}/comments`)).body.comments, []);
});

test('favorites and reactions count once per user and kind, relative to the caller, with reaction.added once', async (t) => {
  const [jake, jane, joe] = await Promise.all([author(), author(), author()]);
  const article = await createArticle(jake);
  const fav = await api('POST', `/api/articles/${article.slug}/favorite`, { token: jane.token });
  t.like(fav.body.article, { favorited: true, favoritesCount: 1 });
  const twice = await api('POST', `/api/articles/${article.slug}/favorite`, { token: jane.token });
  t.like(twice.body.article, { favorited: true, favoritesCount: 1 });
  await api('POST', `/api/articles/${article.slug}/favorite`, { token: joe.token });
  const asJake = await api('GET', `/api/articles/${article.slug}`, { token: jake.token });
  t.like(asJake.body.article, { favorited: false, favoritesCount: 2 });
  const unfav = await api('DELETE', `/api/articles/${article.slug}/favorite`, { token: jane.token });
  t.like(unfav.body.article, { favorited: false, favoritesCount: 1 });

  const like = await api('POST', `/api/articles/${article.slug}/reactions/like`, { token: jane.token });
  t.is(like.status, 200);
  await api('POST', `/api/articles/${article.slug}/reactions/like`, { token: jane.token });
  await api('POST', `/api/articles/${article.slug}/reactions/love`, { token: jane.token });
  const both = await api('POST', `/api/articles/${article.slug}/reactions/like`, { token: joe.token });
  t.like(both.body.article.reactions, { like: 2, love: 1, insightful: 0 });
  t.deepEqual(both.body.article.myReactions, ['like']);
  t.is((await api('POST', `/api/articles/${article.slug}/reactions/angry`, { token: joe.token })).status, 422);
  const taken = await api('DELETE', `/api/articles/${article.slug}/reactions/like`, { token: joe.token });
  t.like(taken.body.article.reactions, { like: 1, love: 1 });

  const id = await articleIdOf(article.slug);
  const added = (await outboxFor(id)).filter((e) => e.topic === 'reaction.added').map((e) => e.payload);
  t.is(added.length, 5, 'favorite ×2, like ×2, love ×1 — repeats add nothing');
  t.deepEqual(added[0], { kind: 'favorite', userId: jane.id, targetType: 'article', targetId: id, articleId: id, targetAuthorId: jake.id });
});

test('comments take reactions too, and the comment author is the target of reaction.added', async (t) => {
  const [jake, jane] = await Promise.all([author(), author()]);
  const article = await createArticle(jake);
  const comment = (await api('POST', `/api/articles/${article.slug}/comments`, { token: jane.token, body: { comment: { body: 'c' } } })).body.comment;
  const res = await api('POST', `/api/articles/${article.slug}/comments/${comment.id}/reactions/insightful`, { token: jake.token });
  t.is(res.status, 200);
  t.like(res.body.comment.reactions, { insightful: 1 });
  t.deepEqual(res.body.comment.myReactions, ['insightful']);
  const [event] = await query<{ payload: Record<string, unknown> }>('blog', `select payload from outbox where topic = 'reaction.added' and payload->>'targetId' = $1`, [String(comment.id)]);
  t.like(event!.payload, { kind: 'insightful', targetType: 'comment', targetAuthorId: jane.id, userId: jake.id });
  const removed = await api('DELETE', `/api/articles/${article.slug}/comments/${comment.id}/reactions/insightful`, { token: jake.token });
  t.like(removed.body.comment.reactions, { insightful: 0 });
  t.is((await api('POST', `/api/articles/${article.slug}/comments/999999999/reactions/like`, { token: jake.token })).status, 404);
});
