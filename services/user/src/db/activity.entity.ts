import { defineEntity, p } from '@mikro-orm/core';

/** What a user did on the blog (published, commented, reacted), one row per blog event. */
export const Activity = defineEntity({
  name: 'Activity',
  tableName: 'activity',
  properties: {
    id: p.uuid().primary(),
    userId: p.uuid(),
    kind: p.string(),
    articleSlug: p.string().nullable(),
    articleTitle: p.text().nullable(),
    commentId: p.string().nullable(),
    targetType: p.string().nullable(),
    reaction: p.string().nullable(),
    eventId: p.string().unique(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
