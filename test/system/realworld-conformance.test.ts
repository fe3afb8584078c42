/**
 * RealWorld (Conduit) API conformance, written from ../shared/realworld/openapi.yml (v1.1.0): every endpoint,
 * through the gateway, checking envelopes, exact key sets, status codes, filters, pagination, sorted tags and
 * millisecond ISO timestamps — what existing RealWorld frontends and test suites rely on.
 */
import test from 'ava';
import { DEFAULT_AVATAR } from '../support/stack.js';
import { api, newUser } from '../support/stack.js';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const keys = (o: object) => Object.keys(o).sort();
const USER_KEYS = ['bio', 'email', 'image', 'token', 'username'];
const PROFILE_KEYS = ['bio', 'following', 'image', 'username'];
const LIST_ITEM_REQUIRED = ['author', 'createdAt', 'description', 'favorited', 'favoritesCount', 'slug', 'tagList', 'title', 'updatedAt'];
const ARTICLE_REQUIRED = [...LIST_ITEM_REQUIRED, 'body'];

const hasAll = (o: object, required: string[]) => required.every((k) => k in o);

test('the whole RealWorld API, as a Conduit client uses it', async (t) => {
  // --- Users: register, login, current user, update ---
  const jake = newUser('jake');
  const reg = await api('POST', '/api/users', { body: { user: jake } });
  t.is(reg.status, 201);
  t.true(hasAll(reg.body.user, USER_KEYS));
  t.like(reg.body.user, { username: jake.username, email: jake.email, bio: null, image: DEFAULT_AVATAR });
  const login = await api('POST', '/api/users/login', { body: { user: { email: jake.email, password: jake.password } } });
  t.is(login.status, 200);
  t.true(hasAll(login.body.user, USER_KEYS));
  const token = login.body.user.token as string;
  const me = await api('GET', '/api/user', { token });
  t.is(me.status, 200);
  t.like(me.body.user, { username: jake.username, email: jake.email });
  const upd = await api('PUT', '/api/user', { token, body: { user: { bio: 'I work at statefarm', image: 'https://api.realworld.io/images/smiley-cyrus.jpeg' } } });
  t.is(upd.status, 200);
  t.like(upd.body.user, { bio: 'I work at statefarm', image: 'https://api.realworld.io/images/smiley-cyrus.jpeg' });

  // --- Errors in the RealWorld shape ---
  const bad = await api('POST', '/api/users', { body: { user: { username: '', email: 'nope', password: '' } } });
  t.is(bad.status, 422);
  t.deepEqual(keys(bad.body), ['code', 'errors', 'requestId'], 'the RealWorld errors object, with our stable code and the request id beside it');
  t.true(Object.values(bad.body.errors as Record<string, unknown>).every((v) => Array.isArray(v)));
  t.is((await api('GET', '/api/user')).status, 401);

  // --- Profiles: get, follow, unfollow ---
  const celeb = newUser('celeb');
  const celebReg = await api('POST', '/api/users', { body: { user: celeb } });
  const celebToken = celebReg.body.user.token as string;
  const prof = await api('GET', `/api/profiles/${celeb.username}`, { token });
  t.is(prof.status, 200);
  t.deepEqual(keys(prof.body.profile), PROFILE_KEYS);
  t.false(prof.body.profile.following);
  const follow = await api('POST', `/api/profiles/${celeb.username}/follow`, { token });
  t.is(follow.status, 200);
  t.true(follow.body.profile.following);
  t.is((await api('GET', `/api/profiles/nobody-${Date.now()}`)).status, 404);

  // --- Articles: create, get, list with filters, feed, update ---
  const tag = `rw${Date.now().toString(36)}`;
  const create = await api('POST', '/api/articles', {
    token: celebToken,
    body: { article: { title: `How to train your dragon ${tag}`, description: 'Ever wonder how?', body: 'Very carefully.', tagList: ['zebra', tag, 'apple'] } },
  });
  t.is(create.status, 201);
  const article = create.body.article;
  t.true(hasAll(article, ARTICLE_REQUIRED));
  t.deepEqual(article.tagList, ['apple', tag, 'zebra'], 'tagList sorted');
  t.regex(article.createdAt, ISO_MS);
  t.regex(article.updatedAt, ISO_MS);
  t.like(article, { favorited: false, favoritesCount: 0, body: 'Very carefully.' });
  t.deepEqual(keys(article.author), PROFILE_KEYS);
  const slug = article.slug as string;

  const get = await api('GET', `/api/articles/${slug}`, { token });
  t.is(get.status, 200);
  t.like(get.body.article, { slug, author: { username: celeb.username, following: true } });

  const byTag = await api('GET', `/api/articles?tag=${tag}`);
  t.is(byTag.status, 200);
  t.deepEqual(keys(byTag.body), ['articles', 'articlesCount']);
  t.is(byTag.body.articlesCount, 1);
  t.false('body' in byTag.body.articles[0], 'list items omit body');
  t.true(hasAll(byTag.body.articles[0], LIST_ITEM_REQUIRED));
  const byAuthor = await api('GET', `/api/articles?author=${celeb.username}&limit=1&offset=0`);
  t.is(byAuthor.body.articles.length, 1);
  t.is(byAuthor.body.articles[0].slug, slug);
  const feed = await api('GET', '/api/articles/feed', { token });
  t.is(feed.status, 200);
  t.true((feed.body.articles as { slug: string }[]).some((a) => a.slug === slug));
  t.is((await api('GET', '/api/articles/feed')).status, 401);

  const update = await api('PUT', `/api/articles/${slug}`, { token: celebToken, body: { article: { body: 'With two hands' } } });
  t.is(update.status, 200);
  t.is(update.body.article.body, 'With two hands');
  t.is((await api('PUT', `/api/articles/${slug}`, { token, body: { article: { body: 'mine now' } } })).status, 403);

  // --- Favorites ---
  const fav = await api('POST', `/api/articles/${slug}/favorite`, { token });
  t.is(fav.status, 200);
  t.like(fav.body.article, { favorited: true, favoritesCount: 1 });
  const byFav = await api('GET', `/api/articles?favorited=${jake.username}&tag=${tag}`);
  t.is(byFav.body.articlesCount, 1);
  const unfav = await api('DELETE', `/api/articles/${slug}/favorite`, { token });
  t.is(unfav.status, 200);
  t.like(unfav.body.article, { favorited: false, favoritesCount: 0 });

  // --- Comments ---
  const comment = await api('POST', `/api/articles/${slug}/comments`, { token, body: { comment: { body: 'Thank you so much!' } } });
  t.true(comment.status === 200 || comment.status === 201, `comment status ${comment.status}`);
  t.true(hasAll(comment.body.comment, ['author', 'body', 'createdAt', 'id', 'updatedAt']));
  t.regex(comment.body.comment.createdAt, ISO_MS);
  const comments = await api('GET', `/api/articles/${slug}/comments`);
  t.is(comments.status, 200);
  t.deepEqual(keys(comments.body), ['comments']);
  t.is(comments.body.comments.length, 1);
  const stranger = await api('POST', '/api/users', { body: { user: newUser('stranger') } });
  t.is((await api('DELETE', `/api/articles/${slug}/comments/${comment.body.comment.id}`, { token: stranger.body.user.token })).status, 403);
  t.is((await api('DELETE', `/api/articles/${slug}/comments/${comment.body.comment.id}`, { token })).status, 204);
  t.is((await api('GET', `/api/articles/${slug}/comments`)).body.comments.length, 0);

  // --- Tags ---
  const tags = await api('GET', '/api/tags');
  t.is(tags.status, 200);
  t.true((tags.body.tags as string[]).includes(tag));

  // --- Unfollow, delete article ---
  const unfollow = await api('DELETE', `/api/profiles/${celeb.username}/follow`, { token });
  t.is(unfollow.status, 200);
  t.false(unfollow.body.profile.following);
  t.is((await api('DELETE', `/api/articles/${slug}`, { token })).status, 403);
  t.is((await api('DELETE', `/api/articles/${slug}`, { token: celebToken })).status, 204);
  t.is((await api('GET', `/api/articles/${slug}`)).status, 404);
});

test('pagination: limit defaults to 20, offset skips, articlesCount is the total', async (t) => {
  const author = newUser('pager');
  const reg = await api('POST', '/api/users', { body: { user: author } });
  const token = reg.body.user.token as string;
  const tag = `pg${Date.now().toString(36)}`;
  for (let i = 0; i < 22; i++) {
    const r = await api('POST', '/api/articles', { token, body: { article: { title: `Page ${tag} ${i}`, description: 'd', body: 'b', tagList: [tag] } } });
    t.is(r.status, 201);
  }
  const first = await api('GET', `/api/articles?tag=${tag}`);
  t.is(first.body.articles.length, 20);
  t.is(first.body.articlesCount, 22);
  t.is(first.body.articles[0].title, `Page ${tag} 21`, 'most recent first');
  const rest = await api('GET', `/api/articles?tag=${tag}&limit=20&offset=20`);
  t.is(rest.body.articles.length, 2);
  t.is(rest.body.articlesCount, 22);
  const bad = await api('GET', `/api/articles?limit=-1`);
  t.is(bad.status, 422);
});
