import test from 'ava';
import { api, articleIdOf, author, outboxFor, query, stack, uniqueTitle } from '../../services/blog/test/support/blog-stack.js';

const control = async (action: string, app: string) => {
  const r = await fetch(`${stack().controlUrl}/apps/${app}/${action}`, { method: 'POST' });
  if (r.status !== 204) throw new Error(`control answered ${r.status}: ${await r.text()}`);
};

test('with the user service down, a committed create answers 201 with a degraded author card, and a retry with its key creates nothing', async (t) => {
  const jake = await author('down');
  await control('stop', 'user');
  try {
    const article = { title: uniqueTitle('While user is down'), description: 'd', body: 'b' };
    const headers = { 'idempotency-key': `k-${Date.now()}` };
    const res = await api('POST', '/api/articles', { token: jake.token, body: { article }, headers });
    t.is(res.status, 201, JSON.stringify(res.body));
    t.is(res.body.article.author.username, jake.username, "the writer's own name from the token");
    t.is(res.body.article.author.following, false);
    const retry = await api('POST', '/api/articles', { token: jake.token, body: { article }, headers });
    t.is(retry.status, 201);
    t.is(retry.body.article.slug, res.body.article.slug);
    t.is((await query('blog', 'select id from article where author_id = $1 and title = $2', [jake.id, article.title])).length, 1);
    // A comment and a reaction are committed writes too.
    const comment = await api('POST', `/api/articles/${res.body.article.slug}/comments`, { token: jake.token, body: { comment: { body: 'still here' } } });
    t.is(comment.status, 200, JSON.stringify(comment.body));
    const events = await outboxFor(await articleIdOf(res.body.article.slug));
    t.is(events.filter((e) => e.topic === 'post.published').length, 1);
  } finally {
    await control('start', 'user');
  }
});
