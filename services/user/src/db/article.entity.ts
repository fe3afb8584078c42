import { defineEntity, p } from '@mikro-orm/core';

/**
 * Which blog articles are public, under which slug and title (a projection of post.published, post.updated,
 * post.unpublished and post.deleted). Slug and title are kept only while the article is published.
 */
export const ArticleProjection = defineEntity({
  name: 'ArticleProjection',
  tableName: 'article',
  properties: {
    articleId: p.string().primary(),
    slug: p.string().nullable(),
    title: p.text().nullable(),
    /** published | hidden | deleted */
    status: p.string(),
    /** When blog made the change this row reflects (orders events that arrive out of order). */
    changedAt: p.datetime(),
  },
});
