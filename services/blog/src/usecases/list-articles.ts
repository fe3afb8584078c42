import { listArticles as listArticleRows, type ArticleFilter } from '../db/article.repository.js';
import { isModerator, type Viewer } from '../domain/access.js';
import { idOfUsername, type AuthorProfile } from '../domain/authors.js';
import type { ArticleStatus } from '../domain/workflow.js';
import { articlesWithAuthors, type ArticlePage } from './article-views.js';
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
  return { articles: await articlesWithAuthors(deps, page.articles, viewer, { withBody: false, known }), articlesCount: page.count };
}
