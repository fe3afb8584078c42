import { findComment } from '../db/comment.repository.js';
import type { Viewer } from '../domain/access.js';
import { toCommentView, type CommentRecord } from '../domain/article-view.js';
import { authorFor, profilesAfterWrite } from '../domain/authors.js';
import { BlogErrors } from '../domain/blog-errors.js';
import type { BlogDeps } from './blog-deps.js';

/** Shared steps of the comment and reaction use cases (not a use case): reading a comment, and its views. */

export type CommentView = ReturnType<typeof toCommentView>;

/** Comments with their authors: one user-service call for all of them (degraded cards after a committed write). */
export async function commentsWithAuthors(deps: Pick<BlogDeps, 'users'>, comments: CommentRecord[], viewer: Viewer | undefined, afterWrite = false) {
  const ids = [...new Set(comments.map((c) => c.authorId))];
  const request = { userIds: ids, viewerId: viewer?.userId };
  const profiles = !ids.length ? new Map() : afterWrite ? await profilesAfterWrite(deps.users, request) : await deps.users.profiles(request);
  return comments.map((c) => toCommentView(c, authorFor(profiles, c.authorId, viewer)));
}

/** One comment of an article, with the viewer's reactions (`viewer` undefined: none). */
export async function readComment(deps: Pick<BlogDeps, 'em'>, articleId: string, id: number, viewer: Viewer | undefined): Promise<CommentRecord> {
  const comment = await findComment(deps.em(), articleId, id, viewer?.userId ?? null);
  if (!comment) throw BlogErrors.commentNotFound(id);
  return comment;
}

/** The answer to a committed comment write. */
export async function commentAfterWrite(deps: Pick<BlogDeps, 'em' | 'users'>, articleId: string, id: number, viewer: Viewer | undefined): Promise<CommentView> {
  const [view] = await commentsWithAuthors(deps, [await readComment(deps, articleId, id, viewer)], viewer, true);
  return view!;
}
