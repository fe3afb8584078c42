import test from 'ava';
import { api, articleIdOf, author, createArticle, editor, eventually, outboxFor, query } from '../../services/blog/test/support/blog-stack.js';

test('a draft is visible to its author and editors only, and stays out of the public list', async (t) => {
  const [jake, jane, ed] = await Promise.all([author(), author(), editor()]);
  const draft = await createArticle(jake, { status: 'draft' });
  t.is(draft.status, 'draft');
  t.is(draft.publishedAt, null);
  t.is((await api('GET', `/api/articles/${draft.slug}`)).status, 404);
  t.is((await api('GET', `/api/articles/${draft.slug}`, { token: jane.token })).status, 404);
  t.is((await api('GET', `/api/articles/${draft.slug}`, { token: jake.token })).status, 200);
  t.is((await api('GET', `/api/articles/${draft.slug}`, { token: ed.token })).status, 200);
  const mine = await api('GET', `/api/articles?status=draft&author=${jake.username}`, { token: jake.token });
  t.deepEqual(mine.body.articles.map((a: { slug: string }) => a.slug), [draft.slug]);
  const theirs = await api('GET', `/api/articles?status=draft&author=${jake.username}`, { token: jane.token });
  t.deepEqual(theirs.body, { articles: [], articlesCount: 0 });
  const publicList = await api('GET', `/api/articles?author=${jake.username}`);
  t.is(publicList.body.articlesCount, 0);
  t.deepEqual(await outboxFor(await articleIdOf(draft.slug)), [], 'nothing is announced for a draft');
});

test('publish, unpublish and archive move an article through its workflow; post.published when it goes live, post.unpublished when it stops', async (t) => {
  const jake = await author();
  const draft = await createArticle(jake, { status: 'draft' });
  const id = await articleIdOf(draft.slug);
  const published = await api('POST', `/api/articles/${draft.slug}/publish`, { token: jake.token });
  t.is(published.status, 200);
  t.like(published.body.article, { status: 'published' });
  t.truthy(published.body.article.publishedAt);
  t.is((await api('GET', `/api/articles/${draft.slug}`)).status, 200);

  const again = await api('POST', `/api/articles/${draft.slug}/publish`, { token: jake.token });
  t.is(again.status, 409);
  t.is(again.body.code, 'BLOG.INVALID_TRANSITION');

  const archived = await api('POST', `/api/articles/${draft.slug}/archive`, { token: jake.token });
  t.is(archived.body.article.status, 'archived');
  t.is((await api('GET', `/api/articles/${draft.slug}`)).status, 200, 'archived articles keep their link');
  t.is((await api('GET', `/api/articles?author=${jake.username}`)).body.articlesCount, 0, 'but leave the list');

  const unpublished = await api('POST', `/api/articles/${draft.slug}/unpublish`, { token: jake.token });
  t.is(unpublished.body.article.status, 'draft');
  t.is((await api('GET', `/api/articles/${draft.slug}`)).status, 404);
  const [row] = await query('blog', 'select status from article where id = $1', [id]);
  t.is(row!.status, 'draft');
  // Archiving took it out of the published state (post.unpublished); archived → draft announces nothing more.
  t.deepEqual((await outboxFor(id)).map((e) => e.topic), ['post.published', 'post.unpublished']);
});

test('only the author or an editor moves an article; editors may also delete it', async (t) => {
  const [jake, jane, ed] = await Promise.all([author(), author(), editor()]);
  const article = await createArticle(jake);
  t.is((await api('POST', `/api/articles/${article.slug}/unpublish`, { token: jane.token })).status, 403);
  t.is((await api('POST', `/api/articles/${article.slug}/archive`, { token: ed.token })).status, 200);
  t.is((await api('POST', `/api/articles/${article.slug}/archive`)).status, 401);
  t.is((await api('DELETE', `/api/articles/${article.slug}`, { token: ed.token })).status, 204);
});

test('a scheduled article stays hidden until its time, then the scheduler publishes it and announces it', async (t) => {
  const jake = await author();
  const publishAt = new Date(Date.now() + 2_000).toISOString();
  const scheduled = await createArticle(jake, { status: 'scheduled', publishAt });
  t.is(scheduled.status, 'scheduled');
  t.is(scheduled.publishAt, publishAt);
  t.is((await api('GET', `/api/articles/${scheduled.slug}`)).status, 404);
  const live = await eventually(async () => {
    const r = await api('GET', `/api/articles/${scheduled.slug}`);
    return r.status === 200 ? r : undefined;
  }, 15_000);
  t.is(live.body.article.status, 'published');
  t.is(live.body.article.publishedAt, publishAt);
  const events = await outboxFor(await articleIdOf(scheduled.slug));
  t.deepEqual(events.map((e) => e.topic), ['post.published']);
  t.like(events[0]!.payload, { slug: scheduled.slug, publishedAt: publishAt });
});

test('scheduling needs a future time; publish with publishAt schedules; an update can reschedule', async (t) => {
  const jake = await author();
  const past = await api('POST', '/api/articles', {
    token: jake.token,
    body: { article: { title: 'past', description: 'd', body: 'b', status: 'scheduled', publishAt: '2020-01-01T00:00:00.000Z' } },
  });
  t.is(past.status, 422);
  t.deepEqual(past.body.errors, { publishAt: ['must be in the future'] });
  const bad = await api('POST', '/api/articles', { token: jake.token, body: { article: { title: 'x', description: 'd', body: 'b', publishAt: 'tomorrow' } } });
  t.is(bad.status, 422);
  t.truthy(bad.body.errors.publishAt);

  const draft = await createArticle(jake, { status: 'draft' });
  const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
  const scheduled = await api('POST', `/api/articles/${draft.slug}/publish`, { token: jake.token, body: { article: { publishAt: inAnHour } } });
  t.like(scheduled.body.article, { status: 'scheduled', publishAt: inAnHour });
  const inTwoHours = new Date(Date.now() + 7_200_000).toISOString();
  const moved = await api('PUT', `/api/articles/${draft.slug}`, { token: jake.token, body: { article: { publishAt: inTwoHours } } });
  t.like(moved.body.article, { status: 'scheduled', publishAt: inTwoHours });
  const [row] = await query<{ publish_at: Date }>('blog', 'select publish_at from article where slug = $1', [draft.slug]);
  t.is(row!.publish_at.toISOString(), inTwoHours);
});

test('categories are managed by editors, and articles are filed and filtered by one', async (t) => {
  const [jake, ed] = await Promise.all([author(), editor()]);
  const name = `Science ${Date.now().toString(36)}`;
  t.is((await api('POST', '/api/categories', { token: jake.token, body: { category: { name } } })).status, 403);
  const created = await api('POST', '/api/categories', { token: ed.token, body: { category: { name, description: 'All things science' } } });
  t.is(created.status, 201);
  const slug = created.body.category.slug as string;
  t.deepEqual(created.body.category, { slug, name, description: 'All things science' });
  const dup = await api('POST', '/api/categories', { token: ed.token, body: { category: { name } } });
  t.deepEqual(dup.body.errors, { name: ['has already been taken'] });
  t.is((await api('POST', '/api/categories', { token: ed.token, body: { category: {} } })).status, 422);

  const listed = await api('GET', '/api/categories');
  t.true(listed.body.categories.some((c: { slug: string }) => c.slug === slug));

  const filed = await createArticle(jake, { category: slug });
  t.is(filed.category, slug);
  await createArticle(jake);
  const inCategory = await api('GET', `/api/articles?category=${slug}`);
  t.deepEqual(inCategory.body.articles.map((a: { slug: string }) => a.slug), [filed.slug]);

  const renamed = await api('PUT', `/api/categories/${slug}`, { token: ed.token, body: { category: { description: 'Updated' } } });
  t.is(renamed.body.category.description, 'Updated');
  t.is((await api('PUT', '/api/categories/no-such-category', { token: ed.token, body: { category: { description: 'x' } } })).status, 404);
  t.is((await api('DELETE', `/api/categories/${slug}`, { token: jake.token })).status, 403);
  t.is((await api('DELETE', `/api/categories/${slug}`, { token: ed.token })).status, 204);
  t.is((await api('DELETE', `/api/categories/${slug}`, { token: ed.token })).status, 404);
  const after = await api('GET', `/api/articles/${filed.slug}`);
  t.is(after.body.article.category, null, 'the article stays, without a category');
});

test('full-text search finds published articles by words in title, description or body', async (t) => {
  const jake = await author();
  const word = `zyx${Date.now().toString(36)}`;
  const inBody = await createArticle(jake, { body: `Notes about ${word} and dragons` });
  const inTitle = await createArticle(jake, { title: `All about ${word}` });
  await createArticle(jake, { body: `Hidden ${word}`, status: 'draft' });
  const res = await api('GET', `/api/articles?q=${word}`, { token: jake.token });
  t.is(res.status, 200);
  t.is(res.body.articlesCount, 2);
  t.deepEqual(res.body.articles.map((a: { slug: string }) => a.slug), [inTitle.slug, inBody.slug], 'title matches rank first');
  const phrase = await api('GET', `/api/articles?q=${encodeURIComponent(`"${word} and dragons"`)}`);
  t.deepEqual(phrase.body.articles.map((a: { slug: string }) => a.slug), [inBody.slug]);
  t.is((await api('GET', '/api/articles?q=')).status, 422);
});
