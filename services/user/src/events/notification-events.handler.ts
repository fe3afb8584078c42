import { PUBLISHER_OF } from '@vcd/contracts';
import type { Subscription } from '@vcd/dapr';
import { recordActivity } from '../db/activity.repository.js';
import { insertNotifications, notifyFollowersOfNewPost } from '../db/notification.repository.js';
import { commentedActivity, publishedActivity, reactedActivity } from '../domain/activity.js';
import { parsePayload } from '../domain/event-payloads.js';
import { commentNotifications, followerNotifications, reactionNotifications } from '../domain/notifications.js';
import { consume, type ConsumerDeps } from './consume.js';

/** post.published → the author's followers are notified; the author's activity shows it. */
export const postPublishedSubscription = (deps: ConsumerDeps): Subscription =>
  consume(deps, 'post.published', [PUBLISHER_OF['post.published']], (d) => parsePayload('post.published', d), async (tx, post, eventId) => {
    await notifyFollowersOfNewPost(tx, eventId, post);
    await recordActivity(tx, eventId, publishedActivity(post));
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
  commentCreatedSubscription(deps),
  reactionAddedSubscription(deps),
  userFollowedSubscription(deps),
];
