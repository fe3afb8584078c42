import { BlogErrors } from './blog-errors.js';
import type { ArticleStatus } from './workflow.js';

/** The caller as far as blog rules care (the gateway-verified identity, or nobody). */
export interface Viewer {
  userId: string;
  username: string;
  role: 'user' | 'editor' | 'admin';
}

export const isModerator = (viewer: Viewer | undefined) => viewer?.role === 'editor' || viewer?.role === 'admin';

/**
 * Public: published, or archived straight from published (it keeps its link). An article archived before it was
 * ever published (or after being unpublished, which clears publishedAt) is as private as a draft.
 */
const isPublic = (article: { status: ArticleStatus; publishedAt: Date | string | null }): boolean =>
  article.status === 'published' || (article.status === 'archived' && article.publishedAt !== null);

/** Drafts, scheduled and never-published archived articles exist only for their author and editors; public ones for all. */
export function canRead(article: { status: ArticleStatus; authorId: string; publishedAt: Date | string | null }, viewer: Viewer | undefined): boolean {
  if (isPublic(article)) return true;
  return !!viewer && (viewer.userId === article.authorId || isModerator(viewer));
}

/** Editing, deleting and moving an article through its workflow: its author, or an editor/admin. */
export function assertCanManage(article: { authorId: string }, viewer: Viewer): void {
  if (viewer.userId !== article.authorId && !isModerator(viewer)) {
    throw BlogErrors.notArticleManager();
  }
}

/** Editing a comment: only its author. */
export function assertCanEditComment(comment: { authorId: string }, viewer: Viewer): void {
  if (viewer.userId !== comment.authorId) throw BlogErrors.notCommentAuthor();
}

/** Deleting a comment: its author, or a moderator (editor/admin). */
export function assertCanDeleteComment(comment: { authorId: string }, viewer: Viewer): void {
  if (viewer.userId !== comment.authorId && !isModerator(viewer)) {
    throw BlogErrors.notCommentModerator();
  }
}
