import test from 'ava';
import { HTTP_STATUS_OF, type DomainError } from '@vcd/errors';
import { assertCanDeleteComment, assertCanEditComment, assertCanManage, canRead, type Viewer } from '../src/domain/access.js';

const author: Viewer = { userId: 'a', username: 'author', role: 'user' };
const stranger: Viewer = { userId: 's', username: 'stranger', role: 'user' };
const editor: Viewer = { userId: 'e', username: 'editor', role: 'editor' };

test('drafts and scheduled articles are visible to their author and editors only', (t) => {
  for (const status of ['draft', 'scheduled'] as const) {
    const article = { status, authorId: 'a', publishedAt: null };
    t.true(canRead(article, author));
    t.true(canRead(article, editor));
    t.false(canRead(article, stranger));
    t.false(canRead(article, undefined));
  }
});

test('published articles, and archived ones with a publication behind them, are visible to everyone', (t) => {
  t.true(canRead({ status: 'published', authorId: 'a', publishedAt: new Date() }, undefined));
  t.true(canRead({ status: 'archived', authorId: 'a', publishedAt: new Date() }, stranger));
});

test('an article archived before it was ever published is as private as a draft', (t) => {
  const article = { status: 'archived' as const, authorId: 'a', publishedAt: null };
  t.false(canRead(article, stranger));
  t.false(canRead(article, undefined));
  t.true(canRead(article, author));
  t.true(canRead(article, editor));
});

test('only the author or an editor may change an article', (t) => {
  t.notThrows(() => assertCanManage({ authorId: 'a' }, author));
  t.notThrows(() => assertCanManage({ authorId: 'a' }, editor));
  t.is(HTTP_STATUS_OF[(t.throws(() => assertCanManage({ authorId: 'a' }, stranger)) as DomainError).kind], 403);
});

test('a comment is edited by its author only, and deleted by its author or a moderator', (t) => {
  t.notThrows(() => assertCanEditComment({ authorId: 'a' }, author));
  t.is(HTTP_STATUS_OF[(t.throws(() => assertCanEditComment({ authorId: 'a' }, editor)) as DomainError).kind], 403);
  t.notThrows(() => assertCanDeleteComment({ authorId: 'a' }, editor));
  t.is(HTTP_STATUS_OF[(t.throws(() => assertCanDeleteComment({ authorId: 'a' }, stranger)) as DomainError).kind], 403);
});
