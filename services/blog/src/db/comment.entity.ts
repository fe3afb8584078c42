import { defineEntity, p } from '@mikro-orm/core';

/** A comment on an article; `parentId` makes it a reply. */
export const Comment = defineEntity({
  name: 'Comment',
  tableName: 'comment',
  properties: {
    id: p.integer().primary().autoincrement(),
    articleId: p.uuid(),
    authorId: p.uuid(),
    parentId: p.integer().nullable(),
    body: p.text(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
