import { defineEntity, p } from '@mikro-orm/core';

/** One user's reaction of one kind to an article or a comment (favorites are kind 'favorite'). */
export const Reaction = defineEntity({
  name: 'Reaction',
  tableName: 'reaction',
  properties: {
    id: p.bigint().primary().autoincrement(),
    userId: p.uuid(),
    kind: p.string(),
    articleId: p.uuid().nullable(),
    commentId: p.integer().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
