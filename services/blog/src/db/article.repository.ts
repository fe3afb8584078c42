import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ArticleRecord } from '../domain/article-view.js';
import type { ArticleStatus, WorkflowState } from '../domain/workflow.js';
import { FAVORITE } from '../domain/reactions.js';
import { toDate, toDateOrNull } from './pg-values.js';

type Row = Record<string, unknown>;

/**
 * Where a list's rows come from: the articles, or a tag's links in listing order (`lt`, article_tag_listed_idx) and
 * their articles. Every published article's links carry its listing time (migration 20261204000000).
 */
const FROM_ARTICLES = 'from article a left join category c on c.id = a.category_id';
const TAG_LINKS = 'article_tag lt join article a on a.id = lt.article_id';
const FROM_TAG_LINKS = `from ${TAG_LINKS} left join category c on c.id = a.category_id`;
/** The links of the tag named by the `?` with a listing time (their article is published), with TAG_LINKS. */
const OF_TAG_LINKS = 'lt.tag_id = (select t.id from tag t where t.name = ?) and lt.listed_at is not null';
/** Newest first: article_listed_idx's order, and the same through the links (article_tag_listed_idx). */
const LISTING_ORDER = 'coalesce(a.published_at, a.created_at) desc, a.id desc';
const TAG_LINKS_ORDER = 'lt.listed_at desc, lt.article_id desc';

/** The columns of an ArticleRecord; `?` #1 and #2 are the viewer's id (favorited, own reactions). */
const selectArticle = (withBody: boolean, from = FROM_ARTICLES) => `
  select a.id, a.slug, a.title, a.description, ${withBody ? 'a.body' : 'null as body'}, a.author_id, a.status,
    a.publish_at, a.published_at, a.created_at, a.updated_at, c.slug as category,
    array(select t.name from article_tag at join tag t on t.id = at.tag_id where at.article_id = a.id order by t.name) as tag_list,
    (select count(*)::int from reaction r where r.article_id = a.id and r.kind = '${FAVORITE}') as favorites_count,
    exists(select 1 from reaction r where r.article_id = a.id and r.kind = '${FAVORITE}' and r.user_id = ?) as favorited,
    (select coalesce(jsonb_object_agg(x.kind, x.n), '{}'::jsonb) from
      (select r.kind, count(*)::int as n from reaction r where r.article_id = a.id and r.kind <> '${FAVORITE}' group by r.kind) x) as reactions,
    array(select r.kind from reaction r where r.article_id = a.id and r.user_id = ? and r.kind <> '${FAVORITE}') as my_reactions
  ${from}`;

const toRecord = (r: Row): ArticleRecord => ({
  id: r.id as string,
  slug: r.slug as string,
  title: r.title as string,
  description: r.description as string,
  body: (r.body as string | null) ?? null,
  authorId: r.author_id as string,
  status: r.status as ArticleStatus,
  publishAt: toDateOrNull(r.publish_at),
  publishedAt: toDateOrNull(r.published_at),
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
  category: (r.category as string | null) ?? null,
  tagList: (r.tag_list as string[]) ?? [],
  favoritesCount: Number(r.favorites_count ?? 0),
  favorited: !!r.favorited,
  reactions: (r.reactions as Record<string, number>) ?? {},
  myReactions: (r.my_reactions as string[]) ?? [],
});

/** An article by any slug it ever had (old slugs keep resolving). */
export async function findArticleBySlug(em: EntityManager, slug: string, viewerId: string | null, withBody = true): Promise<ArticleRecord | undefined> {
  const rows = await em.execute<Row[]>(
    `${selectArticle(withBody)} where a.id = (select s.article_id from article_slug s where s.slug = ?)`,
    [viewerId, viewerId, slug],
  );
  return rows[0] ? toRecord(rows[0]) : undefined;
}

export async function findArticleById(em: EntityManager, id: string, viewerId: string | null): Promise<ArticleRecord | undefined> {
  const rows = await em.execute<Row[]>(`${selectArticle(true)} where a.id = ?`, [viewerId, viewerId, id]);
  return rows[0] ? toRecord(rows[0]) : undefined;
}

/** What a list may be narrowed by (all optional); visibility is part of it. */
export interface ArticleFilter {
  statuses: ArticleStatus[];
  /** Drafts and scheduled articles: only this author's (undefined: nobody's; moderators pass `all`). */
  privateVisibleTo?: string | 'all';
  authorIds?: string[];
  tag?: string;
  favoritedBy?: string;
  category?: string;
  q?: string;
}

/**
 * Lists of one tag's published articles in listing order come from the tag's links (FROM_TAG_LINKS): the page is read
 * from article_tag_listed_idx in order and stops at its end, where testing each article for the tag made Postgres
 * read every link of the tag and sort them (the planner cannot know how common a tag is among recent articles), a
 * cost that grew with the tag (ADR 26). A search orders by relevance, and other statuses have no listing time.
 */
const listsByTagLinks = (f: ArticleFilter) => f.tag !== undefined && f.q === undefined && f.statuses.length === 1 && f.statuses[0] === 'published';

function whereOf(f: ArticleFilter): { sql: string; params: unknown[] } {
  const parts: string[] = [`a.status in (${f.statuses.map(() => '?').join(', ')})`];
  const params: unknown[] = [...f.statuses];
  if (f.privateVisibleTo !== 'all') {
    // Public as domain/access.ts isPublic says: published, or archived with a publication behind it.
    const isPublic = `(a.status = 'published' or (a.status = 'archived' and a.published_at is not null))`;
    if (f.privateVisibleTo) {
      parts.push(`(${isPublic} or a.author_id = ?)`);
      params.push(f.privateVisibleTo);
    } else parts.push(isPublic);
  }
  if (f.authorIds) {
    if (f.authorIds.length === 0) parts.push('false');
    else {
      parts.push(`a.author_id in (${f.authorIds.map(() => '?').join(', ')})`);
      params.push(...f.authorIds);
    }
  }
  if (f.tag !== undefined) {
    parts.push(
      listsByTagLinks(f)
        ? OF_TAG_LINKS
        : 'exists(select 1 from article_tag at join tag t on t.id = at.tag_id where at.article_id = a.id and t.name = ?)',
    );
    params.push(f.tag);
  }
  if (f.favoritedBy !== undefined) {
    parts.push(`exists(select 1 from reaction r where r.article_id = a.id and r.kind = '${FAVORITE}' and r.user_id = ?)`);
    params.push(f.favoritedBy);
  }
  if (f.category !== undefined) {
    parts.push('c.slug = ?');
    params.push(f.category);
  }
  if (f.q !== undefined) {
    parts.push(`a.search @@ websearch_to_tsquery('english', ?)`);
    params.push(f.q);
  }
  return { sql: parts.join(' and '), params };
}

/** One page of articles (most recent first; by relevance first when searching) and the total for the filter. */
export async function listArticles(
  em: EntityManager,
  filter: ArticleFilter,
  page: { limit: number; offset: number },
  viewerId: string | null,
  /** How the total is had when a query is needed: by default that query; a caller may keep totals (list-articles.ts). */
  total: (count: () => Promise<number>) => Promise<number> = (count) => count(),
): Promise<{ articles: ArticleRecord[]; count: number }> {
  const where = whereOf(filter);
  const byTagLinks = listsByTagLinks(filter);
  const from = byTagLinks ? FROM_TAG_LINKS : FROM_ARTICLES;
  const order = filter.q !== undefined
    ? { sql: `ts_rank(a.search, websearch_to_tsquery('english', ?)) desc, ${LISTING_ORDER}`, params: [filter.q] }
    : { sql: byTagLinks ? TAG_LINKS_ORDER : LISTING_ORDER, params: [] };
  const rows = await em.execute<Row[]>(
    `${selectArticle(false, from)} where ${where.sql} order by ${order.sql} limit ? offset ?`,
    [viewerId, viewerId, ...where.params, ...order.params, page.limit, page.offset],
  );
  // The total is needed only when the page does not already tell it.
  const count =
    page.offset === 0 && rows.length < page.limit
      ? rows.length
      : await total(async () =>
          Number((await em.execute<Row[]>(`select count(*)::int as n ${from} where ${where.sql}`, where.params))[0]?.n ?? 0),
        );
  return { articles: rows.map(toRecord), count };
}

/**
 * Claims a slug (parameters: slug, article id) for an article, new or one it had before; returns the slug, or no row
 * when another article holds it. A statement of its own, or the first part of a new article's (insertNewArticle).
 */
const CLAIM_SLUG = `insert into article_slug (slug, article_id) values (?, ?)
  on conflict (slug) do update set article_id = excluded.article_id where article_slug.article_id = excluded.article_id
  returning slug`;

/** Tries the candidates in turn until `attempt` succeeds with one (a value, not undefined); at most 20. */
async function withFirstFreeSlug<T>(candidates: Iterator<string>, attempt: (slug: string) => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 20; i++) {
    const done = await attempt(candidates.next().value as string);
    if (done !== undefined) return done;
  }
  throw new Error('no free slug after 20 attempts');
}

export async function claimFirstFreeSlug(em: EntityManager, candidates: Iterator<string>, articleId: string): Promise<string> {
  return withFirstFreeSlug(candidates, async (slug) => ((await em.execute<Row[]>(CLAIM_SLUG, [slug, articleId])).length === 1 ? slug : undefined));
}

export interface NewArticle extends WorkflowState {
  id: string;
  title: string;
  description: string;
  body: string;
  authorId: string;
  categoryId: number | null;
}

export const newArticleId = () => randomUUID();

/**
 * Inserts a new article under the first free slug of `candidates`, with its tags (creating the missing ones): one
 * statement per slug tried, where claiming the slug, inserting the article and linking its tags took four. Returns
 * the slug and the times the database gave the article.
 */
export async function insertNewArticle(
  em: EntityManager,
  candidates: Iterator<string>,
  a: NewArticle,
  tags: string[],
): Promise<{ slug: string; createdAt: Date; updatedAt: Date }> {
  const tagsJson = JSON.stringify(tags);
  return withFirstFreeSlug(candidates, async (slug) => {
    // Every part runs even when the slug is taken (no article row then, so no links; new tags stay, as they would).
    const rows = await em.execute<Row[]>(
      `with claimed as (${CLAIM_SLUG}),
       inserted as (
         insert into article (id, slug, title, description, body, author_id, category_id, status, publish_at, published_at, created_at, updated_at)
         select ?, claimed.slug, ?, ?, ?, ?, ?, ?, ?::timestamptz, ?::timestamptz, now(), now() from claimed
         returning id, status, published_at, created_at, updated_at),
       wanted as (select value as name from jsonb_array_elements_text(?::jsonb)),
       created_tags as (insert into tag (name) select name from wanted on conflict (name) do nothing returning id),
       linked as (
         -- The listing time is given here: the article row is not visible to article_tag's trigger in this statement.
         insert into article_tag (article_id, tag_id, listed_at)
         select inserted.id, t.id, case when inserted.status = 'published' then coalesce(inserted.published_at, inserted.created_at) end
         from inserted, (select id from created_tags union select tag.id from tag join wanted using (name)) t
         returning 1)
       select created_at, updated_at, (select count(*) from linked)::int as linked from inserted`,
      [slug, a.id, a.id, a.title, a.description, a.body, a.authorId, a.categoryId, a.status, isoOrNull(a.publishAt), isoOrNull(a.publishedAt), tagsJson],
    );
    const row = rows[0];
    if (!row) return undefined;
    // A tag another transaction created while this statement ran is in neither of its sources (that transaction
    // committed after this statement's snapshot): link what is missing with a statement that sees it.
    if (Number(row.linked) < tags.length) await linkTags(em, a.id, tags);
    return { slug, createdAt: toDate(row.created_at), updatedAt: toDate(row.updated_at) };
  });
}

async function linkTags(em: EntityManager, articleId: string, tags: string[]): Promise<void> {
  await em.execute(
    `insert into article_tag (article_id, tag_id) select ?, t.id from tag t where t.name in (${tags.map(() => '?').join(', ')})
     on conflict do nothing`,
    [articleId, ...tags],
  );
}

const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

export interface ArticleChanges {
  slug?: string;
  title?: string;
  description?: string;
  body?: string;
  categoryId?: number | null;
  workflow?: WorkflowState;
  /** Content edits move updatedAt; workflow moves alone do not. */
  touch?: boolean;
}

/**
 * Applies the changes and moves the article to its next version (every change does, ADR 15); returns that version
 * (undefined: no such article).
 */
export async function updateArticle(em: EntityManager, id: string, c: ArticleChanges): Promise<number | undefined> {
  const sets: string[] = [];
  const params: unknown[] = [];
  const set = (column: string, value: unknown, cast = '') => {
    sets.push(`${column} = ?${cast}`);
    params.push(value);
  };
  if (c.slug !== undefined) set('slug', c.slug);
  if (c.title !== undefined) set('title', c.title);
  if (c.description !== undefined) set('description', c.description);
  if (c.body !== undefined) set('body', c.body);
  if (c.categoryId !== undefined) set('category_id', c.categoryId);
  if (c.workflow) {
    set('status', c.workflow.status);
    set('publish_at', isoOrNull(c.workflow.publishAt), '::timestamptz');
    set('published_at', isoOrNull(c.workflow.publishedAt), '::timestamptz');
  }
  if (c.touch) sets.push('updated_at = now()');
  sets.push('version = version + 1');
  const rows = await em.execute<Row[]>(`update article set ${sets.join(', ')} where id = ? returning version`, [...params, id]);
  return rows[0] ? Number(rows[0].version) : undefined;
}

/** Replaces an article's tags (creating unknown tags). */
export async function setArticleTags(em: EntityManager, articleId: string, tags: string[]): Promise<void> {
  await em.execute('delete from article_tag where article_id = ?', [articleId]);
  if (tags.length === 0) return;
  const list = tags.map(() => '(?)').join(', ');
  await em.execute(`insert into tag (name) values ${list} on conflict (name) do nothing`, tags);
  await linkTags(em, articleId, tags);
}

export async function deleteArticleRow(em: EntityManager, id: string): Promise<void> {
  await em.execute('delete from article where id = ?', [id]);
}

/** Scheduled articles whose time has come, published in one statement; rows other pollers hold are skipped. */
export async function publishDueArticles(
  em: EntityManager,
  limit: number,
): Promise<{ id: string; slug: string; title: string; authorId: string; publishedAt: Date; version: number }[]> {
  const rows = await em.execute<Row[]>(
    `update article a set status = 'published', published_at = a.publish_at, publish_at = null, version = a.version + 1
     where a.id in (select id from article where status = 'scheduled' and publish_at <= now()
                    order by publish_at limit ? for update skip locked)
     returning a.id, a.slug, a.title, a.author_id, a.published_at, a.version`,
    [limit],
  );
  return rows.map((r) => ({
    id: r.id as string,
    slug: r.slug as string,
    title: r.title as string,
    authorId: r.author_id as string,
    publishedAt: toDate(r.published_at),
    version: Number(r.version),
  }));
}

/** Tags in use by at least one published article. */
export async function listPublicTags(em: EntityManager): Promise<string[]> {
  const rows = await em.execute<Row[]>(
    `select t.name from tag t where exists(select 1 from article_tag at join article a on a.id = at.article_id
       where at.tag_id = t.id and a.status = 'published') order by t.name`,
  );
  return rows.map((r) => r.name as string);
}

/** Locks an article row for the rest of the transaction and returns its workflow state. */
export async function lockArticle(
  em: EntityManager,
  id: string,
): Promise<(WorkflowState & { authorId: string; slug: string; title: string; version: number }) | undefined> {
  const rows = await em.execute<Row[]>(
    'select author_id, slug, title, status, publish_at, published_at, version from article where id = ? for update',
    [id],
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    authorId: r.author_id as string,
    slug: r.slug as string,
    title: r.title as string,
    status: r.status as ArticleStatus,
    publishAt: toDateOrNull(r.publish_at),
    publishedAt: toDateOrNull(r.published_at),
    version: Number(r.version),
  };
}

/** An article as a feed shows it. */
export interface FeedArticleRow {
  id: string;
  slug: string;
  title: string;
  description: string;
  body: string;
  authorId: string;
  tagList: string[];
  publishedAt: Date;
  updatedAt: Date;
}

/**
 * The newest published articles (by publication), optionally of one tag or one author, with their bodies: what
 * a feed lists. Drafts, scheduled and archived articles are never among them.
 */
export async function listFeedArticles(em: EntityManager, filter: { tag?: string; authorId?: string }, limit: number): Promise<FeedArticleRow[]> {
  const where = [`a.status = 'published'`, 'a.published_at is not null'];
  const params: unknown[] = [];
  // A tag's feed from its links in listing order, as listArticles reads a tag's list (listsByTagLinks).
  const byTagLinks = filter.tag !== undefined;
  if (filter.tag !== undefined) {
    where.push(OF_TAG_LINKS);
    params.push(filter.tag);
  }
  if (filter.authorId !== undefined) {
    where.push('a.author_id = ?');
    params.push(filter.authorId);
  }
  const rows = await em.execute<Row[]>(
    `select a.id, a.slug, a.title, a.description, a.body, a.author_id, a.published_at, a.updated_at,
       array(select t.name from article_tag at join tag t on t.id = at.tag_id where at.article_id = a.id order by t.name) as tag_list
     from ${byTagLinks ? TAG_LINKS : 'article a'} where ${where.join(' and ')}
     order by ${byTagLinks ? TAG_LINKS_ORDER : LISTING_ORDER} limit ?`,
    [...params, limit],
  );
  return rows.map((r) => ({
    id: r.id as string,
    slug: r.slug as string,
    title: r.title as string,
    description: r.description as string,
    body: r.body as string,
    authorId: r.author_id as string,
    tagList: (r.tag_list as string[]) ?? [],
    publishedAt: toDate(r.published_at),
    updatedAt: toDate(r.updated_at),
  }));
}
