import { findArticleById, findArticleBySlug } from '../db/article.repository.js';
import { canRead, type Viewer } from '../domain/access.js';
import { toArticleView, type ArticleRecord, type ArticleView } from '../domain/article-view.js';
import { authorFor, profilesAfterWrite, type AuthorProfile } from '../domain/authors.js';
import { BlogErrors } from '../domain/blog-errors.js';
import type { BlogDeps } from './blog-deps.js';

/** Shared steps of the article use cases (not a use case): reading an article the viewer may see, and its views. */

export interface ArticlePage {
  articles: ArticleView[];
  articlesCount: number;
}

/**
 * Articles with their authors: ONE user-service call for every author of the page (profiles already known,
 * e.g. from resolving ?author=, are not asked for again).
 */
export async function articlesWithAuthors(
  deps: Pick<BlogDeps, 'users'>,
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
export async function readArticle(deps: Pick<BlogDeps, 'em'>, slug: string, viewer: Viewer | undefined): Promise<ArticleRecord> {
  const article = await findArticleBySlug(deps.em(), slug, viewer?.userId ?? null);
  if (!article || !canRead(article, viewer)) throw BlogErrors.articleNotFound(slug);
  return article;
}

/** The answer to a committed write: the article by id, its author card degraded if the user service is down. */
export async function articleAfterWrite(deps: Pick<BlogDeps, 'em' | 'users'>, id: string, viewer: Viewer | undefined): Promise<ArticleView> {
  const article = await findArticleById(deps.em(), id, viewer?.userId ?? null);
  if (!article) throw BlogErrors.articleNotFound(id);
  const [view] = await articlesWithAuthors(deps, [article], viewer, { withBody: true, afterWrite: true });
  return view!;
}
