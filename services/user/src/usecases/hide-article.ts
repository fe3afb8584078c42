import type { EntityManager } from '@mikro-orm/postgresql';
import { removePublishedActivity } from '../db/activity.repository.js';
import { markArticleHidden } from '../db/article.repository.js';
import { removeNewPostNotifications } from '../db/notification.repository.js';
import type { PostUnpublished } from '../domain/consumed-events.js';

/**
 * post.unpublished → nothing about the article is shown any more (until it is published again), and what its
 * publication caused (the author's "published" entry, the followers' "new post") is removed, so a later
 * publication announces it afresh rather than twice. A stale unpublish (a newer change is known) changes nothing.
 */
export async function hideArticle(tx: EntityManager, post: PostUnpublished): Promise<void> {
  if (!(await markArticleHidden(tx, post.articleId, post.unpublishedAt))) return;
  await removePublishedActivity(tx, post.articleId);
  await removeNewPostNotifications(tx, post.articleId);
}
