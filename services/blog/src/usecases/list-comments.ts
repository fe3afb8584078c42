import { listComments as listCommentRows } from '../db/comment.repository.js';
import type { Viewer } from '../domain/access.js';
import { readArticle } from './article-views.js';
import type { BlogDeps } from './blog-deps.js';
import { commentsWithAuthors, type CommentView } from './comment-views.js';

/** The comments of an article the viewer may see, oldest first (replies carry parentId). */
export async function listComments(deps: Pick<BlogDeps, 'em' | 'users'>, slug: string, viewer: Viewer | undefined): Promise<CommentView[]> {
  const article = await readArticle(deps, slug, viewer);
  return commentsWithAuthors(deps, await listCommentRows(deps.em(), article.id, viewer?.userId ?? null), viewer);
}
