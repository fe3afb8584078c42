import { defineEntity, p } from '@mikro-orm/core';
import { Article } from './article.entity.js';
import { Comment } from './comment.entity.js';

/** One user's reaction of one kind to an article or a comment (favorites are kind 'favorite'). */
export const Reaction = defineEntity({
  name: 'Reaction',
  tableName: 'reaction',
  uniques: [
    // One reaction per user, kind and target (reaction.repository.ts inserts on conflict with these).
    {
      name: 'reaction_article_uq',
      expression: `create unique index "reaction_article_uq" on "reaction" ("article_id", "kind", "user_id") where "article_id" is not null`,
    },
    {
      name: 'reaction_comment_uq',
      expression: `create unique index "reaction_comment_uq" on "reaction" ("comment_id", "kind", "user_id") where "comment_id" is not null`,
    },
  ],
  indexes: [{ name: 'reaction_user_idx', properties: ['userId', 'kind'] }],
  checks: [{ name: 'reaction_one_target', expression: '(article_id is null) <> (comment_id is null)' }],
  properties: {
    id: p.bigint().primary().autoincrement(),
    userId: p.uuid(),
    kind: p.string().length(32),
    articleId: p
      .manyToOne(Article)
      .mapToPk()
      .nullable()
      .fieldName('article_id')
      .foreignKeyName('reaction_article_id_fkey')
      .deleteRule('cascade')
      .updateRule('no action'),
    commentId: p
      .manyToOne(Comment)
      .mapToPk()
      .nullable()
      .fieldName('comment_id')
      .foreignKeyName('reaction_comment_id_fkey')
      .deleteRule('cascade')
      .updateRule('no action'),
    createdAt: p.datetime().defaultRaw('now()').onCreate(() => new Date()),
  },
});
