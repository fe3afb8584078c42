import { randomUUID } from 'node:crypto';
import test from 'ava';
import { api, articleIdOf, author, outboxFor, query, uniqueTitle } from '../../services/blog/test/support/blog-stack.js';

// What the blog service does with an Idempotency-Key (concurrent first uses, a reused key with other content, keys per
// author, bad keys, no key) is proven in-process: services/blog/test/articles.component.test.ts. Here: the key goes in
// through the gateway and the sidecars, and the replay's idempotent-replayed header comes back out.

const create = (token: string, article: Record<string, unknown>, key?: string) =>
  api('POST', '/api/articles', { token, body: { article }, headers: key ? { 'idempotency-key': key } : {} });

test('through the gateway, a create retried with the same Idempotency-Key answers the first article, says it is a replay and creates nothing new', async (t) => {
  const jake = await author('idem');
  const key = randomUUID();
  const article = { title: uniqueTitle('Idempotent'), description: 'd', body: 'b', tagList: ['idem'] };
  const first = await create(jake.token, article, key);
  t.is(first.status, 201);
  t.is(first.headers.get('idempotent-replayed'), null);
  // The client did not see the answer and retries.
  const retry = await create(jake.token, article, key);
  t.is(retry.status, 201);
  t.is(retry.headers.get('idempotent-replayed'), 'true');
  t.is(retry.body.article.slug, first.body.article.slug);
  const rows = await query('blog', 'select id from article where author_id = $1 and title = $2', [jake.id, article.title]);
  t.is(rows.length, 1, 'one article');
  const events = (await outboxFor(await articleIdOf(first.body.article.slug))).filter((e) => e.topic === 'post.published');
  t.is(events.length, 1, 'one post.published');
});
