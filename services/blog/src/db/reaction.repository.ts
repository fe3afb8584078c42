import type { EntityManager } from '@mikro-orm/postgresql';
import { Reaction } from './reaction.entity.js';

export type ReactionTarget = { articleId: string } | { commentId: number };

/** Adds a reaction once; true when it is new (a repeat changes nothing). */
export async function addReaction(em: EntityManager, userId: string, kind: string, target: ReactionTarget): Promise<boolean> {
  const rows =
    'articleId' in target
      ? await em.execute<unknown[]>(
          `insert into reaction (user_id, kind, article_id) values (?, ?, ?)
           on conflict (article_id, kind, user_id) where article_id is not null do nothing returning id`,
          [userId, kind, target.articleId],
        )
      : await em.execute<unknown[]>(
          `insert into reaction (user_id, kind, comment_id) values (?, ?, ?)
           on conflict (comment_id, kind, user_id) where comment_id is not null do nothing returning id`,
          [userId, kind, target.commentId],
        );
  return rows.length === 1;
}

export async function removeReaction(em: EntityManager, userId: string, kind: string, target: ReactionTarget): Promise<void> {
  const on = 'articleId' in target ? { articleId: target.articleId } : { commentId: target.commentId };
  await em.nativeDelete(Reaction, { ...on, kind, userId });
}
