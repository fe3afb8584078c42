import { deleteCommentRow } from '../db/comment.repository.js';
import { assertCanDeleteComment, type Viewer } from '../domain/access.js';
import { readArticle } from './article-views.js';
import type { BlogDeps } from './blog-deps.js';
import { readComment } from './comment-views.js';

/** Deletes a comment (its author or a moderator); replies go with it. */
export async function deleteComment(deps: Pick<BlogDeps, 'em'>, viewer: Viewer, slug: string, id: number): Promise<void> {
  const article = await readArticle(deps, slug, viewer);
  const comment = await readComment(deps, article.id, id, viewer);
  assertCanDeleteComment(comment, viewer);
  await deleteCommentRow(deps.em(), id);
}
