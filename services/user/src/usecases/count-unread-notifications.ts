import { countUnread } from '../db/notification.repository.js';
import type { UserDeps } from './user-deps.js';

/** How many of the caller's notifications are unread. */
export const countUnreadNotifications = (deps: Pick<UserDeps, 'em'>, caller: { userId: string }) => countUnread(deps.em(), caller.userId);
