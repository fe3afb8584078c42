import { listArticles as listArticleRows, type ArticleFilter } from '../db/article.repository.js';
import { isModerator, type Viewer } from '../domain/access.js';
import { idOfUsername, type AuthorProfile } from '../domain/authors.js';
import type { ArticleStatus } from '../domain/workflow.js';
import { forViewer, listedArticles, type ArticlePage, type ListedArticles } from './article-views.js';
import type { BlogDeps } from './blog-deps.js';

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
 * GET /api/articles. A list of published articles (the default, and every search) holds the same articles for
 * every reader, so it is computed once per query as anonymous readers see it (the public page cache), and a
 * signed-in viewer gets a copy with their own flags added (forViewer: one indexed query, the follow cache). Lists
 * of other statuses depend on who asks (drafts are their author's) and are queried per viewer.
 *
 * Freshness: the articles of a page show every write at once. Its `articlesCount`, when the page does not tell it
 * (past the first page, or a full first page), may lag writes by up to the page TTL (1 s by default; ADR 19).
 */
export async function listArticles(deps: BlogDeps, query: ArticleQuery, viewer: Viewer | undefined): Promise<ArticlePage> {
  if (viewer && !isSameForEveryone(query)) return (await queryArticles(deps, query, viewer)).page;
  const key = 'articles:' + JSON.stringify([query.tag, query.author, query.favorited, query.status, query.category, query.q, query.limit, query.offset]);
  const listed = await deps.publicPages.getOrCompute(key, () => queryArticles(deps, query, undefined));
  return viewer ? forViewer(deps, listed, viewer) : listed.page;
}

/** Does this query list the same articles for every reader (published ones; any search), flags aside? */
export const isSameForEveryone = (query: Pick<ArticleQuery, 'status' | 'q'>): boolean =>
  query.status === undefined || query.status === 'published' || query.q !== undefined;

async function queryArticles(deps: BlogDeps, query: ArticleQuery, viewer: Viewer | undefined): Promise<ListedArticles> {
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
      if (!id) return listedArticles(deps, [], 0, viewer);
      filter.favoritedBy = id;
    }
  }
  // The shared page's total (needed past the first page) is kept per filter for the page TTL, writes or not: under
  // writes every page is recomputed, and a count over the whole table per page and write was most of that work.
  const total = viewer ? undefined : (count: () => Promise<number>) => deps.publicPages.getOrComputeLasting(`total:${JSON.stringify(filter)}`, count);
  const rows = await listArticleRows(deps.em(), filter, query, viewer?.userId ?? null, total);
  return listedArticles(deps, rows.articles, rows.count, viewer, known);
}
