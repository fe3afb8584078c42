import test from 'ava';
import { api, author, createArticle, eventually, query, stack } from '../../services/blog/test/support/blog-stack.js';

const control = async (action: 'stop' | 'start') => {
  const res = await fetch(`${stack().controlUrl}/apps/blog/${action}`, { method: 'POST' });
  if (res.status !== 204) throw new Error(`${action} blog: ${res.status} ${await res.text()}`);
};

test('a post scheduled before a restart goes live when its time passed while the blog service was down', async (t) => {
  const jake = await author();
  // Far enough ahead that the create and a graceful stop end before it, even on a loaded machine; the assertion below
  // says so when they did not (then a still-running scheduler may rightly have published it on time).
  const publishAt = new Date(Date.now() + 10_000).toISOString();
  const scheduled = await createArticle(jake, { status: 'scheduled', publishAt });
  await control('stop');
  t.true(Date.now() < Date.parse(publishAt), 'blog stopped before the publication time (else this run proves nothing)');
  try {
    // Its time passes while no blog process runs: nothing publishes it.
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(publishAt) - Date.now()) + 500));
    const [row] = await query('blog', 'select status from article where slug = $1', [scheduled.slug]);
    t.is(row!.status, 'scheduled');
  } finally {
    await control('start');
  }
  const live = await eventually(async () => {
    const r = await api('GET', `/api/articles/${scheduled.slug}`);
    return r.status === 200 ? r : undefined;
  }, 20_000);
  t.like(live.body.article, { status: 'published', publishedAt: publishAt });
  const events = await query('blog', `select topic from outbox where payload->>'slug' = $1`, [scheduled.slug]);
  t.deepEqual(events, [{ topic: 'post.published' }], 'announced exactly once');
});
