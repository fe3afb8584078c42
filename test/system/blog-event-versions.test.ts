import test from 'ava';
import { api, articleIdOf, author, createArticle, eventually, outboxFor, query, uniqueTitle } from '../../services/blog/test/support/blog-stack.js';

// Events about one article carry its version, incremented by every change in the transaction that writes the event:
// a consumer that receives them out of order can tell the newest (issue 13 §3).

const versions = (rows: { topic: string; payload: Record<string, unknown> }[]) => rows.map((r) => [r.topic, r.payload.version]);

test("every change of an article moves its version; each post.* event carries the version after its change", async (t) => {
  const jake = await author('ver');
  const article = await createArticle(jake);
  const id = await articleIdOf(article.slug);
  const put = (title: string) => api('PUT', `/api/articles/${encodeURIComponent(article.slug)}`, { token: jake.token, body: { article: { title } } });
  t.is((await put(uniqueTitle('Renamed once'))).status, 200);
  const renamed = await put(uniqueTitle('Renamed twice'));
  t.is(renamed.status, 200);
  const slug = renamed.body.article.slug as string;
  t.is((await api('POST', `/api/articles/${slug}/unpublish`, { token: jake.token })).status, 200);
  // A change of a private article announces nothing, but it is a change: the next event's version says so.
  t.is((await api('PUT', `/api/articles/${slug}`, { token: jake.token, body: { article: { body: 'Edited in draft' } } })).status, 200);
  t.is((await api('POST', `/api/articles/${slug}/publish`, { token: jake.token })).status, 200);
  t.is((await api('DELETE', `/api/articles/${slug}`, { token: jake.token })).status, 204);
  t.deepEqual(versions(await outboxFor(id)), [
    ['post.published', 1],
    ['post.updated', 2],
    ['post.updated', 3],
    ['post.unpublished', 4],
    ['post.published', 6],
    ['post.deleted', 7],
  ]);
});

test('of two renames at once, the post.updated with the higher version names the title the article kept', async (t) => {
  const jake = await author('vrc');
  const article = await createArticle(jake);
  const id = await articleIdOf(article.slug);
  const titles = [uniqueTitle('Left'), uniqueTitle('Right')];
  const answers = await Promise.all(titles.map((title) => api('PUT', `/api/articles/${encodeURIComponent(article.slug)}`, { token: jake.token, body: { article: { title } } })));
  t.deepEqual(answers.map((a) => a.status), [200, 200]);
  const [row] = await query<{ title: string; version: number }>('blog', 'select title, version from article where id = $1', [id]);
  const updates = await eventually(async () => {
    const rows = (await outboxFor(id)).filter((r) => r.topic === 'post.updated');
    return rows.length === 2 && rows;
  });
  const newest = updates.reduce((a, b) => (Number(a.payload.version) > Number(b.payload.version) ? a : b));
  t.is(newest.payload.title, row!.title);
  t.is(newest.payload.version, row!.version);
  t.deepEqual(updates.map((u) => u.payload.version).sort(), [2, 3]);
});
