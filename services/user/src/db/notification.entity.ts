import { defineEntity, p } from '@mikro-orm/core';

/** Something a user should know about; at most one per (event, recipient). */
export const Notification = defineEntity({
  name: 'Notification',
  tableName: 'notification',
  properties: {
    id: p.uuid().primary(),
    userId: p.uuid(),
    kind: p.string(),
    actorId: p.uuid().nullable(),
    articleId: p.string().nullable(),
    commentId: p.string().nullable(),
    reaction: p.string().nullable(),
    eventId: p.string(),
    createdAt: p.datetime().onCreate(() => new Date()),
    readAt: p.datetime().nullable(),
  },
});
