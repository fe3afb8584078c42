import { defineEntity, p } from '@mikro-orm/core';

/** What a user did on the blog (published, commented, reacted), one row per blog event; the article by id only. */
export const Activity = defineEntity({
  name: 'Activity',
  tableName: 'activity',
  properties: {
    id: p.uuid().primary(),
    userId: p.uuid(),
    kind: p.string(),
    articleId: p.string().nullable(),
    commentId: p.string().nullable(),
    targetType: p.string().nullable(),
    reaction: p.string().nullable(),
    eventId: p.string().unique(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
