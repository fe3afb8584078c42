import { findComment, insertComment } from '../db/comment.repository.js';
import type { Viewer } from '../domain/access.js';
import { BlogErrors } from '../domain/blog-errors.js';
import { readArticle } from './article-views.js';
import type { BlogDeps } from './blog-deps.js';
import { commentAfterWrite, type CommentView } from './comment-views.js';

/**
 * Adds a comment (a reply when parentId names a comment of the same article); comment.created in the same
 * transaction, naming the article by id only (it may be a draft an editor comments on).
 */
export async function addComment(deps: BlogDeps, viewer: Viewer, slug: string, input: { body: string; parentId?: number | null }): Promise<CommentView> {
  const article = await readArticle(deps, slug, viewer);
  const parentId = input.parentId ?? null;
  const parent = parentId === null ? undefined : await findComment(deps.em(), article.id, parentId, null);
  if (parentId !== null && !parent) throw BlogErrors.unknownParentComment();
  const id = await deps.uow.run(async (tx, events) => {
    const commentId = await insertComment(tx, { articleId: article.id, authorId: viewer.userId, parentId, body: input.body });
    events.emit('comment.created', {
      commentId: String(commentId),
      articleId: article.id,
      articleAuthorId: article.authorId,
      authorId: viewer.userId,
      parentId: parentId === null ? null : String(parentId),
      parentAuthorId: parent?.authorId ?? null,
    });
    return commentId;
  });
  return commentAfterWrite(deps, article.id, id, viewer);
}
