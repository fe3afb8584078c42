import { listArticles as listArticleRows } from '../db/article.repository.js';
import type { Viewer } from '../domain/access.js';
import { articlesWithAuthors, type ArticlePage } from './article-views.js';
import type { BlogDeps } from './blog-deps.js';

/** GET /api/articles/feed: published articles by the authors the viewer follows, newest first. */
export async function listFeed(deps: Pick<BlogDeps, 'em' | 'users'>, page: { limit: number; offset: number }, viewer: Viewer): Promise<ArticlePage> {
  const following = await deps.users.following(viewer.userId);
  if (following.length === 0) return { articles: [], articlesCount: 0 };
  const result = await listArticleRows(deps.em(), { statuses: ['published'], authorIds: following }, page, viewer.userId);
  return { articles: await articlesWithAuthors(deps, result.articles, viewer, { withBody: false }), articlesCount: result.count };
}
