import { removeReaction as removeReactionRow } from '../db/reaction.repository.js';
import type { Viewer } from '../domain/access.js';
import type { BlogDeps } from './blog-deps.js';
import { reactionAnswer, resolveTarget, type ReactionAnswer, type ReactionTargetRef } from './reaction-targets.js';

/** Takes back one's reaction (or favorite) on an article or a comment (none: nothing changes). Answers the target. */
export async function removeReaction<T extends ReactionTargetRef>(deps: Pick<BlogDeps, 'em' | 'users'>, viewer: Viewer, target: T, kind: string): Promise<ReactionAnswer<T>> {
  const resolved = await resolveTarget(deps, viewer, target);
  const { article, commentId } = resolved;
  await removeReactionRow(deps.em(), viewer.userId, kind, commentId === undefined ? { articleId: article.id } : { commentId });
  return (await reactionAnswer(deps, viewer, resolved)) as ReactionAnswer<T>;
}
