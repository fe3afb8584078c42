import type { EntityManager } from '@mikro-orm/postgresql';
import { markArticlePublic } from '../db/article.repository.js';
import type { PostUpdated } from '../domain/consumed-events.js';

/** post.updated → entries about the article show its new slug and title. */
export async function refreshArticle(tx: EntityManager, post: PostUpdated): Promise<void> {
  await markArticlePublic(tx, { articleId: post.articleId, slug: post.slug, title: post.title, at: post.updatedAt });
}
