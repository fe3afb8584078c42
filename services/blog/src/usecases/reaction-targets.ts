import type { Viewer } from '../domain/access.js';
import type { ArticleRecord, ArticleView, CommentRecord } from '../domain/article-view.js';
import { articleAfterWrite, readArticle } from './article-views.js';
import type { BlogDeps } from './blog-deps.js';
import { commentAfterWrite, readComment, type CommentView } from './comment-views.js';

/** Shared steps of add-reaction and remove-reaction (not a use case): what a reaction is on, and the answer. */

/** An article (by slug), or one of its comments. */
export type ReactionTargetRef = { slug: string } | { slug: string; commentId: number };
export type ReactionAnswer<T extends ReactionTargetRef> = T extends { commentId: number } ? { comment: CommentView } : { article: ArticleView };

export type ResolvedTarget = { article: ArticleRecord; comment?: CommentRecord; commentId?: number };

/** The article the viewer may see and, for a comment target, the comment (404s when either is missing). */
export async function resolveTarget(deps: Pick<BlogDeps, 'em'>, viewer: Viewer, target: ReactionTargetRef): Promise<ResolvedTarget> {
  const article = await readArticle(deps, target.slug, viewer);
  if (!('commentId' in target)) return { article };
  return { article, comment: await readComment(deps, article.id, target.commentId, undefined), commentId: target.commentId };
}

/** The reacted-to article or comment as it is now (author cards degraded if the user service is down). */
export async function reactionAnswer(deps: Pick<BlogDeps, 'em' | 'users'>, viewer: Viewer, target: ResolvedTarget): Promise<{ article: ArticleView } | { comment: CommentView }> {
  if (target.commentId === undefined) return { article: await articleAfterWrite(deps, target.article.id, viewer) };
  return { comment: await commentAfterWrite(deps, target.article.id, target.commentId, viewer) };
}
