import { PUBLISHER_OF } from '@vcd/contracts';
import type { Subscription } from '@vcd/dapr';
import { recordActivity, removeActivityAbout, removePublishedActivity } from '../db/activity.repository.js';
import { markArticleDeleted, markArticleHidden, markArticlePublic } from '../db/article.repository.js';
import {
  insertNotifications,
  notifyFollowersOfNewPost,
  removeNewPostNotifications,
  removeNotificationsAbout,
} from '../db/notification.repository.js';
import { commentedActivity, publishedActivity, reactedActivity } from '../domain/activity.js';
import { parsePayload } from '../domain/event-payloads.js';
import { commentNotifications, followerNotifications, reactionNotifications } from '../domain/notifications.js';
import { consume, type ConsumerDeps } from './consume.js';

/** post.published → the article is public; the author's followers are notified; the author's activity shows it. */
export const postPublishedSubscription = (deps: ConsumerDeps): Subscription =>
  consume(deps, 'post.published', [PUBLISHER_OF['post.published']], (d) => parsePayload('post.published', d), async (tx, post, eventId) => {
    await markArticlePublic(tx, { articleId: post.articleId, slug: post.slug, title: post.title, at: post.publishedAt ?? new Date().toISOString() });
    await notifyFollowersOfNewPost(tx, eventId, post);
    await recordActivity(tx, eventId, publishedActivity(post));
  });

/** post.updated → entries about the article show its new slug and title. */
export const postUpdatedSubscription = (deps: ConsumerDeps): Subscription =>
  consume(deps, 'post.updated', [PUBLISHER_OF['post.updated']], (d) => parsePayload('post.updated', d), async (tx, post) => {
    await markArticlePublic(tx, { articleId: post.articleId, slug: post.slug, title: post.title, at: post.updatedAt });
  });

/**
 * post.unpublished → nothing about the article is shown any more (until it is published again), and what its
 * publication caused (the author's "published" entry, the followers' "new post") is removed, so a later
 * publication announces it afresh rather than twice. A stale unpublish (a newer change is known) changes nothing.
 */
export const postUnpublishedSubscription = (deps: ConsumerDeps): Subscription =>
  consume(deps, 'post.unpublished', [PUBLISHER_OF['post.unpublished']], (d) => parsePayload('post.unpublished', d), async (tx, post) => {
    if (!(await markArticleHidden(tx, post.articleId, post.unpublishedAt))) return;
    await removePublishedActivity(tx, post.articleId);
    await removeNewPostNotifications(tx, post.articleId);
  });

/** post.deleted → every activity entry and notification about the article goes, for good. */
export const postDeletedSubscription = (deps: ConsumerDeps): Subscription =>
  consume(deps, 'post.deleted', [PUBLISHER_OF['post.deleted']], (d) => parsePayload('post.deleted', d), async (tx, post) => {
    await markArticleDeleted(tx, post.articleId);
    await removeActivityAbout(tx, post.articleId);
    await removeNotificationsAbout(tx, post.articleId);
  });

/** comment.created → the article's author (and the parent comment's author on replies) is notified. */
export const commentCreatedSubscription = (deps: ConsumerDeps): Subscription =>
  consume(deps, 'comment.created', [PUBLISHER_OF['comment.created']], (d) => parsePayload('comment.created', d), async (tx, comment, eventId) => {
    await insertNotifications(tx, eventId, commentNotifications(comment));
    await recordActivity(tx, eventId, commentedActivity(comment));
  });

/** reaction.added → the author of the article or comment is notified. */
export const reactionAddedSubscription = (deps: ConsumerDeps): Subscription =>
  consume(deps, 'reaction.added', [PUBLISHER_OF['reaction.added']], (d) => parsePayload('reaction.added', d), async (tx, reaction, eventId) => {
    await insertNotifications(tx, eventId, reactionNotifications(reaction));
    await recordActivity(tx, eventId, reactedActivity(reaction));
  });

/** user.followed → the followee hears about the new follower. */
export const userFollowedSubscription = (deps: ConsumerDeps): Subscription =>
  consume(deps, 'user.followed', [PUBLISHER_OF['user.followed']], (d) => parsePayload('user.followed', d), async (tx, follow, eventId) => {
    await insertNotifications(tx, eventId, followerNotifications(follow));
  });

export const userServiceSubscriptions = (deps: ConsumerDeps): Subscription[] => [
  postPublishedSubscription(deps),
  postUpdatedSubscription(deps),
  postUnpublishedSubscription(deps),
  postDeletedSubscription(deps),
  commentCreatedSubscription(deps),
  reactionAddedSubscription(deps),
  userFollowedSubscription(deps),
];
