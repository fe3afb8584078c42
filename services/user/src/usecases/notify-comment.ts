import type { EntityManager } from '@mikro-orm/postgresql';
import { recordActivity } from '../db/activity.repository.js';
import { insertNotifications } from '../db/notification.repository.js';
import { commentedActivity } from '../domain/activity.js';
import { commentNotifications } from '../domain/notifications.js';
import type { CommentCreated } from '../domain/consumed-events.js';

/** comment.created → the article's author (and the parent comment's author on replies) is notified. */
export async function notifyComment(tx: EntityManager, comment: CommentCreated, eventId: string): Promise<void> {
  await insertNotifications(tx, eventId, commentNotifications(comment));
  await recordActivity(tx, eventId, commentedActivity(comment));
}
