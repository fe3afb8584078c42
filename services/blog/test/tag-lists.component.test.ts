import test from 'ava';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Identity } from '@vcd/http';
import { UnitOfWork } from '@vcd/messaging';
import { listArticles } from '../src/db/article.repository.js';
import { PublicPageCache } from '../src/domain/public-page-cache.js';
import { publishDuePosts } from '../src/usecases/publish-due-posts.js';
import { startBlog, type BlogApp } from '../../../test/support/service-apps.js';

/**
 * A tag's list is read from its links in listing order (article_tag.listed_at, kept by triggers; ADR 26). Checked
 * against the articles themselves after every kind of write that moves an article into, out of or within a tag's
 * list, and by the rows Postgres reads for a page of a large tag.
 */
let blog: BlogApp;
test.before(async () => {
  blog = await startBlog();
});
test.after.always(async () => {
  await blog?.close();
});

let n = 0;
const someone = (role: Identity['role'] = 'user') => blog.users.add(`tl${process.pid}x${n++}`, role);
type Listed = { slug: string };
const create = async (as: Identity, tagList: string[], extra: Record<string, unknown> = {}) => {
  const res = await blog.call('POST', '/api/articles', { as, body: { article: { title: `T ${randomUUID().slice(0, 8)}`, description: 'd', body: 'b', tagList, ...extra } } });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body.article.slug as string;
};
const update = async (as: Identity, slug: string, article: Record<string, unknown>) => {
  const res = await blog.call('PUT', `/api/articles/${slug}`, { as, body: { article } });
  if (res.status !== 200) throw new Error(JSON.stringify(res.body));
  return res.body.article.slug as string;
};
const listed = async (tag: string, query = '') => ((await blog.call('GET', `/api/articles?tag=${tag}&limit=50${query}`)).body.articles as Listed[]).map((a) => a.slug);
/** The list as the articles alone say it: published, with the tag, newest listing time first. */
const fromArticles = async (tag: string) =>
  (
    await blog.db.sql<Listed>(
      `select a.slug from article a where a.status = 'published'
         and exists(select 1 from article_tag at join tag t on t.id = at.tag_id where at.article_id = a.id and t.name = ?)
       order by coalesce(a.published_at, a.created_at) desc, a.id desc`,
      [tag],
    )
  ).map((r) => r.slug);
/** Links whose listing time is not their article's (every link, every tag). */
const stale = async () =>
  (
    await blog.db.sql<{ n: number }>(
      `select count(*)::int as n from article_tag lt join article a on a.id = lt.article_id
        where lt.listed_at is distinct from (case when a.status = 'published' then coalesce(a.published_at, a.created_at) end)`,
    )
  )[0]!.n;

test("a tag's list follows every write that moves an article into, out of or within it", async (t) => {
  const tag = `tl${randomUUID().slice(0, 8)}`;
  const other = `${tag}-other`;
  const jane = someone();
  const check = async (step: string, expected: string[]) => {
    t.deepEqual(await listed(tag), expected, step);
    t.deepEqual(await fromArticles(tag), expected, `${step}: the articles say the same`);
    t.is(await stale(), 0, `${step}: every link's listing time is its article's`);
  };

  const first = await create(jane, [tag]);
  const draft = await create(jane, [tag], { status: 'draft' });
  const scheduled = await create(jane, [tag, other], { status: 'scheduled', publishAt: new Date(Date.now() + 3_600_000).toISOString() });
  const elsewhere = await create(jane, [other]);
  await check('created: only the published one', [first]);

  const published = await update(jane, draft, { status: 'published' });
  await check('a draft published', [published, first]);

  await update(jane, elsewhere, { tagList: [tag, other] });
  // Its listing time is when it was published, before the draft was.
  await check('a published article given the tag', [published, elsewhere, first]);

  await update(jane, first, { status: 'archived' });
  await check('one archived', [published, elsewhere]);

  // Its time has come, halfway between two listed ones: the scheduler publishes it as of then, so it lists between them.
  const listingTime = `(select coalesce(published_at, created_at) from article where slug = ?)`;
  await blog.db.sql(`update article set publish_at = ${listingTime} + (${listingTime} - ${listingTime}) / 2 where slug = ?`, [elsewhere, published, elsewhere, scheduled]);
  t.is(await publishDuePosts({ uow: new UnitOfWork(() => blog.db.orm.em.fork()), publicPages: new PublicPageCache(0) }, 10), 1);
  await check('the scheduler published one', [published, scheduled, elsewhere]);

  await update(jane, elsewhere, { tagList: [other] });
  await check('a tag taken away', [published, scheduled]);

  t.is((await blog.call('DELETE', `/api/articles/${published}`, { as: jane })).status, 204);
  await check('one deleted', [scheduled]);
  t.deepEqual(await listed(tag, '&status=draft'), [], 'other statuses are still listed from the articles');
  // A tag no article ever had (no tag row: the links' condition compares with null), past the first page too.
  const unknown = await blog.call('GET', `/api/articles?tag=${tag}-never&offset=20`);
  t.is(unknown.status, 200);
  t.like(unknown.body, { articles: [], articlesCount: 0 });
});

test("a page of a large tag reads the page's links from the index, not every link of the tag", async (t) => {
  const tag = `big${randomUUID().slice(0, 8)}`;
  const jane = someone();
  // 3 000 published articles with the tag, one in five with another tag first, written in one statement each.
  await blog.db.sql(
    `with made as (
       insert into article (id, slug, title, description, body, author_id, status, published_at, created_at, updated_at)
       select gen_random_uuid(), ? || '-' || i, 'Big ' || i, 'd', 'b', ?, 'published', now() - i * interval '1 second', now(), now()
       from generate_series(1, 3000) i returning id)
     insert into article_slug (slug, article_id) select a.slug, a.id from article a join made using (id)`,
    [tag, jane.userId],
  );
  await blog.db.sql(`insert into tag (name) values (?) on conflict do nothing`, [tag]);
  await blog.db.sql(
    `insert into article_tag (article_id, tag_id) select a.id, t.id from article a, tag t where a.slug like ? || '-%' and t.name = ?`,
    [tag, tag],
  );
  await blog.db.sql('analyze article_tag');
  await blog.db.sql('analyze article');
  t.is(await stale(), 0);

  // The statement the repository sends for the third page, captured and explained with the rows Postgres read.
  const em = blog.db.orm.em.fork();
  const sent: { sql: string; params: unknown[] }[] = [];
  const spy = new Proxy(em, {
    get: (target, key, receiver) =>
      key === 'execute'
        ? (sql: string, params: unknown[]) => {
            sent.push({ sql, params });
            return target.execute(sql, params);
          }
        : Reflect.get(target, key, receiver),
  }) as EntityManager;
  const page = await listArticles(spy, { statuses: ['published'], tag }, { limit: 20, offset: 40 }, null, async () => 3000);
  t.deepEqual(
    page.articles.map((a) => a.slug),
    Array.from({ length: 20 }, (_, i) => `${tag}-${41 + i}`),
  );
  const [plan] = (await em.execute(`explain (analyze, format json) ${sent[0]!.sql}`, sent[0]!.params)) as { 'QUERY PLAN': unknown }[];
  const nodes: { 'Node Type': string; 'Index Name'?: string; 'Relation Name'?: string; 'Actual Rows': number; 'Actual Loops': number }[] = [];
  // The page's own plan: not the subplans that compute each listed article's columns (its tags, sorted by name).
  const walk = (node: Record<string, unknown>) => {
    nodes.push(node as (typeof nodes)[number]);
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) if (!['SubPlan', 'InitPlan'].includes(child['Parent Relationship'] as string)) walk(child);
  };
  walk((plan!['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0]!.Plan);
  const links = nodes.filter((node) => node['Relation Name'] === 'article_tag' && node['Index Name'] === 'article_tag_listed_idx');
  t.is(links.length, 1, JSON.stringify(nodes.map((node) => [node['Node Type'], node['Relation Name'], node['Index Name']])));
  t.true(links[0]!['Actual Rows'] <= 60, `links read: ${links[0]!['Actual Rows']} of 3 000`);
  t.false(nodes.some((node) => node['Node Type'] === 'Sort'), 'no sort: the index gives the order');
});
