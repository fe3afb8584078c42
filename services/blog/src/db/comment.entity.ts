import { defineEntity, p } from '@mikro-orm/core';
import { Article } from './article.entity.js';

/** A comment on an article; `parentId` makes it a reply (deleting a comment deletes its replies). */
export const Comment = defineEntity({
  name: 'Comment',
  tableName: 'comment',
  indexes: [{ name: 'comment_article_idx', properties: ['articleId', 'id'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    articleId: p
      .manyToOne(Article)
      .mapToPk()
      .fieldName('article_id')
      .foreignKeyName('comment_article_id_fkey')
      .deleteRule('cascade')
      .updateRule('no action'),
    authorId: p.uuid(),
    // A function, so that the entity can name itself (read when MikroORM discovers the entities).
    parentId: () =>
      p
        .manyToOne(Comment)
        .mapToPk()
        .nullable()
        .fieldName('parent_id')
        .foreignKeyName('comment_parent_id_fkey')
        .deleteRule('cascade')
        .updateRule('no action'),
    body: p.text(),
    /** Set by the database's clock, as an article's are (comment.repository.ts). */
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});
