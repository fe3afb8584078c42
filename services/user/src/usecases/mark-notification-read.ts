import { markRead } from '../db/notification.repository.js';
import { UserErrors } from '../domain/user-errors.js';
import type { UserDeps } from './user-deps.js';

/** Marks one of the caller's notifications read; another user's, or an unknown id, is not found. */
export async function markNotificationRead(deps: Pick<UserDeps, 'em'>, caller: { userId: string }, id: string) {
  const notification = await markRead(deps.em(), caller.userId, id);
  if (!notification) throw UserErrors.notificationNotFound();
  return notification;
}
