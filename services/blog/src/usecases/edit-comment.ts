import { updateCommentBody } from '../db/comment.repository.js';
import { assertCanEditComment, type Viewer } from '../domain/access.js';
import { readArticle } from './article-views.js';
import type { BlogDeps } from './blog-deps.js';
import { commentAfterWrite, readComment, type CommentView } from './comment-views.js';

/** Edits one's own comment. */
export async function editComment(deps: Pick<BlogDeps, 'em' | 'users'>, viewer: Viewer, slug: string, id: number, body: string): Promise<CommentView> {
  const article = await readArticle(deps, slug, viewer);
  const comment = await readComment(deps, article.id, id, viewer);
  assertCanEditComment(comment, viewer);
  await updateCommentBody(deps.em(), id, body);
  return commentAfterWrite(deps, article.id, id, viewer);
}
