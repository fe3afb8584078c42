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

/** The kinds of reaction `userId` left on each of `articleIds` (articles without any are absent). */
export async function reactionsOfUser(em: EntityManager, userId: string, articleIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (articleIds.length === 0) return out;
  const rows = await em.execute<{ article_id: string; kind: string }[]>(
    `select article_id, kind from reaction where user_id = ? and article_id in (${articleIds.map(() => '?').join(', ')})`,
    [userId, ...articleIds],
  );
  for (const r of rows) out.set(r.article_id, [...(out.get(r.article_id) ?? []), r.kind]);
  return out;
}
