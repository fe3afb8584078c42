import { randomUUID } from 'node:crypto';
import test from 'ava';
import { api, articleIdOf, author, outboxFor, query, uniqueTitle } from '../../services/blog/test/support/blog-stack.js';

const create = (token: string, article: Record<string, unknown>, key?: string) =>
  api('POST', '/api/articles', { token, body: { article }, headers: key ? { 'idempotency-key': key } : {} });

test('a create retried with the same Idempotency-Key answers the first article and creates nothing new', async (t) => {
  const jake = await author('idem');
  const key = randomUUID();
  const article = { title: uniqueTitle('Idempotent'), description: 'd', body: 'b', tagList: ['idem'] };
  const first = await create(jake.token, article, key);
  t.is(first.status, 201);
  t.is(first.headers.get('idempotent-replayed'), null);
  // The client did not see the answer and retries, twice at once.
  const retries = await Promise.all([create(jake.token, article, key), create(jake.token, article, key)]);
  for (const retry of retries) {
    t.is(retry.status, 201);
    t.is(retry.headers.get('idempotent-replayed'), 'true');
    t.is(retry.body.article.slug, first.body.article.slug);
  }
  const rows = await query('blog', 'select id from article where author_id = $1 and title = $2', [jake.id, article.title]);
  t.is(rows.length, 1, 'one article');
  const events = (await outboxFor(await articleIdOf(first.body.article.slug))).filter((e) => e.topic === 'post.published');
  t.is(events.length, 1, 'one post.published');
});

test('concurrent first uses of one key create one article', async (t) => {
  const jake = await author('idem');
  const key = randomUUID();
  const article = { title: uniqueTitle('Racing'), description: 'd', body: 'b' };
  const answers = await Promise.all(Array.from({ length: 4 }, () => create(jake.token, article, key)));
  t.deepEqual(answers.map((a) => a.status), [201, 201, 201, 201]);
  t.is(new Set(answers.map((a) => a.body.article.slug)).size, 1);
  t.is(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true').length, 3);
  t.is((await query('blog', 'select id from article where author_id = $1 and title = $2', [jake.id, article.title])).length, 1);
});

test('the same key with different content is a conflict; keys are per author; no key creates every time', async (t) => {
  const [jake, jane] = await Promise.all([author('idem'), author('idem')]);
  const key = randomUUID();
  const first = await create(jake.token, { title: uniqueTitle('One'), description: 'd', body: 'b' }, key);
  t.is(first.status, 201);
  const other = await create(jake.token, { title: uniqueTitle('Other'), description: 'd', body: 'b' }, key);
  t.is(other.status, 409);
  t.is(other.body.code, 'BLOG.IDEMPOTENCY_KEY_REUSED');
  const janes = await create(jane.token, { title: uniqueTitle('Janes'), description: 'd', body: 'b' }, key);
  t.is(janes.status, 201);
  t.not(janes.body.article.slug, first.body.article.slug);
  const same = { title: uniqueTitle('Twice'), description: 'd', body: 'b' };
  const [a, b] = [await create(jake.token, same), await create(jake.token, same)];
  t.not(a.body.article.slug, b.body.article.slug);
  const bad = await create(jake.token, { title: uniqueTitle('Bad key'), description: 'd', body: 'b' }, 'x'.repeat(256));
  t.is(bad.status, 422);
});
