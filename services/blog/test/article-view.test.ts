import test from 'ava';
import { normalizeTags, toArticleView, type ArticleRecord } from '../src/domain/article-view.js';
import { authorFor } from '../src/domain/authors.js';
import { toDate } from '../src/db/pg-values.js';

const record: ArticleRecord = {
  id: 'id1',
  slug: 'how-to',
  title: 'How to',
  description: 'd',
  body: 'b',
  authorId: 'a',
  status: 'published',
  publishAt: null,
  publishedAt: new Date('2026-01-01T00:00:00Z'),
  createdAt: new Date('2026-01-01T00:00:00Z'),
  updatedAt: new Date('2026-01-02T03:04:05.6Z'),
  category: null,
  tagList: ['zeta', 'alpha'],
  favoritesCount: 2,
  favorited: true,
  reactions: { like: 3 },
  myReactions: ['like'],
};
const author = { username: 'jake', bio: null, image: null, following: false };

test('an article view is RealWorld-shaped: sorted tags, ISO timestamps with milliseconds', (t) => {
  const view = toArticleView(record, author, { withBody: true });
  t.deepEqual(view.tagList, ['alpha', 'zeta']);
  t.is(view.createdAt, '2026-01-01T00:00:00.000Z');
  t.is(view.updatedAt, '2026-01-02T03:04:05.600Z');
  t.is(view.body, 'b');
  t.like(view, { favorited: true, favoritesCount: 2, author, status: 'published', category: null });
  t.deepEqual(view.reactions, { like: 3, love: 0, insightful: 0, celebrate: 0, curious: 0 });
});

test('list items leave the body out', (t) => {
  t.false('body' in toArticleView(record, author, { withBody: false }));
});

test('tags are trimmed, de-duplicated and sorted', (t) => {
  t.deepEqual(normalizeTags([' b', 'a', 'b', '  ']), ['a', 'b']);
});

test('an author the user service does not know yet falls back to the caller’s own name, else a placeholder', (t) => {
  const profiles = new Map([['x', { username: 'xena', bio: 'hi', image: null, following: true }]]);
  t.deepEqual(authorFor(profiles, 'x'), { username: 'xena', bio: 'hi', image: null, following: true });
  t.is(authorFor(profiles, 'me', { userId: 'me', username: 'myself' }).username, 'myself');
  t.is(authorFor(profiles, 'other', { userId: 'me', username: 'myself' }).username, 'unknown');
});

test('timestamps from raw queries read the same whether Postgres text or Date', (t) => {
  t.is(toDate('2026-01-02 03:04:05.678+00').toISOString(), '2026-01-02T03:04:05.678Z');
  t.is(toDate('2026-01-02 05:04:05.678+02').toISOString(), '2026-01-02T03:04:05.678Z');
  t.is(toDate(new Date('2026-01-02T03:04:05.678Z')).toISOString(), '2026-01-02T03:04:05.678Z');
  t.throws(() => toDate('yesterday'));
});
