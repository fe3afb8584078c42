import type { EntityManager } from '@mikro-orm/postgresql';
import { recordActivities } from '../db/activity.repository.js';
import { markArticlesPublic } from '../db/article.repository.js';
import { notifyFollowersOfNewPosts } from '../db/notification.repository.js';
import { publishedActivity } from '../domain/activity.js';
import type { PostPublished } from '../domain/consumed-events.js';

/** post.published → the article is public; the author's followers are notified; the author's activity shows it. */
export const announceNewPost = (tx: EntityManager, post: PostPublished, eventId: string): Promise<void> => announceNewPosts(tx, [{ data: post, eventId }]);

/** A batch of post.published events (each with its id), in one statement per table however many. */
export async function announceNewPosts(tx: EntityManager, posts: { data: PostPublished; eventId: string }[]): Promise<void> {
  const at = (p: PostPublished) => p.publishedAt ?? new Date().toISOString();
  await markArticlesPublic(tx, posts.map(({ data: p }) => ({ articleId: p.articleId, slug: p.slug, title: p.title, at: at(p) })));
  await notifyFollowersOfNewPosts(tx, posts.map(({ data: p, eventId }) => ({ eventId, authorId: p.authorId, articleId: p.articleId })));
  await recordActivities(tx, posts.map(({ data, eventId }) => ({ eventId, draft: publishedActivity(data) })));
}
