import { forbidden } from '@vcd/errors';
import type { ArticleStatus } from './workflow.js';

/** The caller as far as blog rules care (the gateway-verified identity, or nobody). */
export interface Viewer {
  userId: string;
  username: string;
  role: 'user' | 'editor' | 'admin';
}

export const isModerator = (viewer: Viewer | undefined) => viewer?.role === 'editor' || viewer?.role === 'admin';

/** Drafts and scheduled articles exist only for their author and editors; published and archived ones for all. */
export function canRead(article: { status: ArticleStatus; authorId: string }, viewer: Viewer | undefined): boolean {
  if (article.status === 'published' || article.status === 'archived') return true;
  return !!viewer && (viewer.userId === article.authorId || isModerator(viewer));
}

/** Editing, deleting and moving an article through its workflow: its author, or an editor/admin. */
export function assertCanManage(article: { authorId: string }, viewer: Viewer): void {
  if (viewer.userId !== article.authorId && !isModerator(viewer)) {
    throw forbidden('BLOG.NOT_ARTICLE_AUTHOR', 'Only the author or an editor may change this article');
  }
}

/** Editing a comment: only its author. */
export function assertCanEditComment(comment: { authorId: string }, viewer: Viewer): void {
  if (viewer.userId !== comment.authorId) throw forbidden('BLOG.NOT_COMMENT_AUTHOR', 'Only the author may edit this comment');
}

/** Deleting a comment: its author, or a moderator (editor/admin). */
export function assertCanDeleteComment(comment: { authorId: string }, viewer: Viewer): void {
  if (viewer.userId !== comment.authorId && !isModerator(viewer)) {
    throw forbidden('BLOG.NOT_COMMENT_AUTHOR', 'Only the author or a moderator may delete this comment');
  }
}
