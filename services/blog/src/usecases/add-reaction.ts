import { addReaction as addReactionRow } from '../db/reaction.repository.js';
import type { Viewer } from '../domain/access.js';
import type { BlogDeps } from './blog-deps.js';
import { reactionAnswer, resolveTarget, type ReactionAnswer, type ReactionTargetRef } from './reaction-targets.js';

/**
 * A reaction (or a favorite) on an article or on one of its comments: once per user, target and kind;
 * reaction.added in the same transaction, only the first time. Answers the article or the comment.
 */
export async function addReaction<T extends ReactionTargetRef>(deps: BlogDeps, viewer: Viewer, target: T, kind: string): Promise<ReactionAnswer<T>> {
  const resolved = await resolveTarget(deps, viewer, target);
  const { article, comment, commentId } = resolved;
  await deps.uow.run(async (tx, events) => {
    const isNew = await addReactionRow(tx, viewer.userId, kind, commentId === undefined ? { articleId: article.id } : { commentId });
    if (!isNew) return;
    events.emit('reaction.added', {
      kind,
      userId: viewer.userId,
      targetType: commentId === undefined ? 'article' : 'comment',
      targetId: commentId === undefined ? article.id : String(commentId),
      articleId: article.id,
      targetAuthorId: comment?.authorId ?? article.authorId,
    });
  });
  return (await reactionAnswer(deps, viewer, resolved)) as ReactionAnswer<T>;
}
