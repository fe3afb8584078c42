import { listArticles as listArticleRows } from '../db/article.repository.js';
import type { Viewer } from '../domain/access.js';
import { articlesWithAuthors, type ArticlePage } from './article-views.js';
import type { BlogDeps } from './blog-deps.js';

/**
 * GET /api/articles/feed: published articles by the authors the viewer follows, newest first. Whom they follow
 * comes from the follow cache and the cards from the anonymous card cache: no call to the user service while
 * both are warm.
 */
export async function listFeed(deps: Pick<BlogDeps, 'em' | 'users' | 'follows'>, page: { limit: number; offset: number }, viewer: Viewer): Promise<ArticlePage> {
  const following = await deps.follows.of(viewer.userId);
  if (following.size === 0) return { articles: [], articlesCount: 0 };
  const result = await listArticleRows(deps.em(), { statuses: ['published'], authorIds: [...following] }, page, viewer.userId);
  return { articles: await articlesWithAuthors(deps, result.articles, viewer, { withBody: false, following }), articlesCount: result.count };
}
