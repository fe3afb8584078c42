import { validationError } from '@vcd/errors';
import { deleteCommentRow, findComment, insertComment, listComments as listCommentRows, updateCommentBody } from '../db/comment.repository.js';
import { assertCanDeleteComment, assertCanEditComment, type Viewer } from '../domain/access.js';
import { toCommentView, type CommentRecord } from '../domain/article-view.js';
import { authorFor, profilesAfterWrite } from '../domain/authors.js';
import { commentNotFound, type BlogDeps } from './blog-deps.js';
import { readArticle } from './read-articles.js';

/** Comments with their authors: one user-service call for all of them (degraded cards after a committed write). */
async function withAuthors(deps: BlogDeps, comments: CommentRecord[], viewer: Viewer | undefined, afterWrite = false) {
  const ids = [...new Set(comments.map((c) => c.authorId))];
  const request = { userIds: ids, viewerId: viewer?.userId };
  const profiles = !ids.length ? new Map() : afterWrite ? await profilesAfterWrite(deps.users, request) : await deps.users.profiles(request);
  return comments.map((c) => toCommentView(c, authorFor(profiles, c.authorId, viewer)));
}

export async function listComments(deps: BlogDeps, slug: string, viewer: Viewer | undefined) {
  const article = await readArticle(deps, slug, viewer);
  return withAuthors(deps, await listCommentRows(deps.em(), article.id, viewer?.userId ?? null), viewer);
}

async function readComment(deps: BlogDeps, articleId: string, id: number, viewer: Viewer | undefined) {
  const comment = await findComment(deps.em(), articleId, id, viewer?.userId ?? null);
  if (!comment) throw commentNotFound(id);
  return comment;
}

/** The answer to a committed comment write. */
export async function getComment(deps: BlogDeps, articleId: string, id: number, viewer: Viewer | undefined) {
  const [view] = await withAuthors(deps, [await readComment(deps, articleId, id, viewer)], viewer, true);
  return view!;
}

/**
 * Adds a comment (a reply when parentId names a comment of the same article); comment.created in the same
 * transaction, naming the article by id only (it may be a draft an editor comments on).
 */
export async function addComment(deps: BlogDeps, viewer: Viewer, slug: string, input: { body: string; parentId?: number | null }) {
  const article = await readArticle(deps, slug, viewer);
  const parentId = input.parentId ?? null;
  const parent = parentId === null ? undefined : await findComment(deps.em(), article.id, parentId, null);
  if (parentId !== null && !parent) throw validationError({ parentId: ['does not exist on this article'] });
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
  return getComment(deps, article.id, id, viewer);
}

/** Edits one's own comment. */
export async function editComment(deps: BlogDeps, viewer: Viewer, slug: string, id: number, body: string) {
  const article = await readArticle(deps, slug, viewer);
  const comment = await readComment(deps, article.id, id, viewer);
  assertCanEditComment(comment, viewer);
  await updateCommentBody(deps.em(), id, body);
  return getComment(deps, article.id, id, viewer);
}

/** Deletes a comment (its author or a moderator); replies go with it. */
export async function deleteComment(deps: BlogDeps, viewer: Viewer, slug: string, id: number) {
  const article = await readArticle(deps, slug, viewer);
  const comment = await readComment(deps, article.id, id, viewer);
  assertCanDeleteComment(comment, viewer);
  await deleteCommentRow(deps.em(), id);
}
