import type { EntityManager } from '@mikro-orm/postgresql';
import { insertNotifications } from '../db/notification.repository.js';
import { followerNotifications } from '../domain/notifications.js';
import type { UserFollowed } from '../domain/consumed-events.js';

/** user.followed → the followee hears about the new follower. */
export async function notifyNewFollower(tx: EntityManager, follow: UserFollowed, eventId: string): Promise<void> {
  await insertNotifications(tx, eventId, followerNotifications(follow));
}
