import type { EntityManager } from '@mikro-orm/postgresql';
import { recordActivity } from '../db/activity.repository.js';
import { markArticlePublic } from '../db/article.repository.js';
import { notifyFollowersOfNewPost } from '../db/notification.repository.js';
import { publishedActivity } from '../domain/activity.js';
import type { PostPublished } from '../domain/consumed-events.js';

/** post.published → the article is public; the author's followers are notified; the author's activity shows it. */
export async function announceNewPost(tx: EntityManager, post: PostPublished, eventId: string): Promise<void> {
  await markArticlePublic(tx, { articleId: post.articleId, slug: post.slug, title: post.title, at: post.publishedAt ?? new Date().toISOString() });
  await notifyFollowersOfNewPost(tx, eventId, post);
  await recordActivity(tx, eventId, publishedActivity(post));
}
