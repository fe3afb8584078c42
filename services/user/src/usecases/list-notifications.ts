import { listNotifications as listNotificationPage } from '../db/notification.repository.js';
import type { UserDeps } from './user-deps.js';

/** A page of the caller's notifications, newest first (optionally unread only). */
export const listNotifications = (deps: Pick<UserDeps, 'em'>, caller: { userId: string }, page: { limit: number; offset: number; unreadOnly: boolean }) =>
  listNotificationPage(deps.em(), caller.userId, page);
