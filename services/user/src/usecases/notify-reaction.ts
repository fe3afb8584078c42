import type { EntityManager } from '@mikro-orm/postgresql';
import { recordActivity } from '../db/activity.repository.js';
import { insertNotifications } from '../db/notification.repository.js';
import { reactedActivity } from '../domain/activity.js';
import { reactionNotifications } from '../domain/notifications.js';
import type { ReactionAdded } from '../domain/consumed-events.js';

/** reaction.added → the author of the article or comment is notified. */
export async function notifyReaction(tx: EntityManager, reaction: ReactionAdded, eventId: string): Promise<void> {
  await insertNotifications(tx, eventId, reactionNotifications(reaction));
  await recordActivity(tx, eventId, reactedActivity(reaction));
}
