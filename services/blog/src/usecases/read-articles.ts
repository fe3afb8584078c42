import { listArticles as listArticleRows, findArticleBySlug, findArticleById, type ArticleFilter } from '../db/article.repository.js';
import { isModerator, canRead, type Viewer } from '../domain/access.js';
import { toArticleView, type ArticleRecord, type ArticleView } from '../domain/article-view.js';
import { authorFor, idOfUsername, profilesAfterWrite, type AuthorProfile } from '../domain/authors.js';
import type { ArticleStatus } from '../domain/workflow.js';
import { articleNotFound, type ArticlePage, type BlogDeps } from './blog-deps.js';

/**
 * Articles with their authors: ONE user-service call for every author of the page (profiles already known,
 * e.g. from resolving ?author=, are not asked for again).
 */
export async function withAuthors(
  deps: BlogDeps,
  records: ArticleRecord[],
  viewer: Viewer | undefined,
  options: { withBody: boolean; known?: Map<string, AuthorProfile>; afterWrite?: boolean },
): Promise<ArticleView[]> {
  const known = options.known ?? new Map<string, AuthorProfile>();
  const missing = [...new Set(records.map((r) => r.authorId))].filter((id) => !known.has(id));
  const request = { userIds: missing, viewerId: viewer?.userId };
  const fetched = !missing.length ? new Map() : options.afterWrite ? await profilesAfterWrite(deps.users, request) : await deps.users.profiles(request);
  const profiles = new Map<string, AuthorProfile>([...known, ...fetched]);
  return records.map((r) => toArticleView(r, authorFor(profiles, r.authorId, viewer), { withBody: options.withBody }));
}

/** One article the viewer may see, by any of its slugs. */
export async function readArticle(deps: BlogDeps, slug: string, viewer: Viewer | undefined): Promise<ArticleRecord> {
  const article = await findArticleBySlug(deps.em(), slug, viewer?.userId ?? null);
  if (!article || !canRead(article, viewer)) throw articleNotFound(slug);
  return article;
}

export async function getArticle(deps: BlogDeps, slug: string, viewer: Viewer | undefined): Promise<ArticleView> {
  const [view] = await withAuthors(deps, [await readArticle(deps, slug, viewer)], viewer, { withBody: true });
  return view!;
}

/** The answer to a committed write: the article by id, its author card degraded if the user service is down. */
export async function getArticleById(deps: BlogDeps, id: string, viewer: Viewer | undefined): Promise<ArticleView> {
  const article = await findArticleById(deps.em(), id, viewer?.userId ?? null);
  if (!article) throw articleNotFound(id);
  const [view] = await withAuthors(deps, [article], viewer, { withBody: true, afterWrite: true });
  return view!;
}

export interface ArticleQuery {
  tag?: string;
  author?: string;
  favorited?: string;
  status?: ArticleStatus;
  category?: string;
  q?: string;
  limit: number;
  offset: number;
}

const visibility = (viewer: Viewer | undefined): ArticleFilter['privateVisibleTo'] =>
  isModerator(viewer) ? 'all' : viewer?.userId;

/**
 * GET /api/articles: filters by usernames resolve in the same single call that brings the authors. Anonymous
 * readers all see the same page for a query, so theirs comes from the public page cache.
 */
export async function listArticles(deps: BlogDeps, query: ArticleQuery, viewer: Viewer | undefined): Promise<ArticlePage> {
  if (viewer) return queryArticles(deps, query, viewer);
  const key = 'articles:' + JSON.stringify([query.tag, query.author, query.favorited, query.status, query.category, query.q, query.limit, query.offset]);
  return deps.publicPages.getOrCompute(key, () => queryArticles(deps, query, undefined));
}

async function queryArticles(deps: BlogDeps, query: ArticleQuery, viewer: Viewer | undefined): Promise<ArticlePage> {
  const filter: ArticleFilter = {
    // Search covers published articles only.
    statuses: query.q !== undefined ? ['published'] : [query.status ?? 'published'],
    privateVisibleTo: visibility(viewer),
    tag: query.tag,
    category: query.category,
    q: query.q,
  };
  let known: Map<string, AuthorProfile & { userId: string }> | undefined;
  const usernames = [query.author, query.favorited].filter((u): u is string => u !== undefined);
  if (usernames.length) {
    known = await deps.users.profiles({ userIds: [], usernames, viewerId: viewer?.userId });
    if (query.author !== undefined) {
      const id = idOfUsername(known, query.author);
      filter.authorIds = id ? [id] : [];
    }
    if (query.favorited !== undefined) {
      const id = idOfUsername(known, query.favorited);
      if (!id) return { articles: [], articlesCount: 0 };
      filter.favoritedBy = id;
    }
  }
  const page = await listArticleRows(deps.em(), filter, query, viewer?.userId ?? null);
  return { articles: await withAuthors(deps, page.articles, viewer, { withBody: false, known }), articlesCount: page.count };
}

/** GET /api/articles/feed: published articles by the authors the viewer follows. */
export async function feed(deps: BlogDeps, page: { limit: number; offset: number }, viewer: Viewer) {
  const following = await deps.users.following(viewer.userId);
  if (following.length === 0) return { articles: [], articlesCount: 0 };
  const result = await listArticleRows(deps.em(), { statuses: ['published'], authorIds: following }, page, viewer.userId);
  return { articles: await withAuthors(deps, result.articles, viewer, { withBody: false }), articlesCount: result.count };
}
