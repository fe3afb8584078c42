import type { EntityManager } from '@mikro-orm/postgresql';
import { removeActivityAbout } from '../db/activity.repository.js';
import { markArticleDeleted } from '../db/article.repository.js';
import { removeNotificationsAbout } from '../db/notification.repository.js';
import type { PostDeleted } from '../domain/consumed-events.js';

/** post.deleted → every activity entry and notification about the article goes, for good. */
export async function forgetArticle(tx: EntityManager, post: PostDeleted): Promise<void> {
  await markArticleDeleted(tx, post.articleId);
  await removeActivityAbout(tx, post.articleId);
  await removeNotificationsAbout(tx, post.articleId);
}
