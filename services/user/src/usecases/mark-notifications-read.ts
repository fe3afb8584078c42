import { markAllRead } from '../db/notification.repository.js';
import type { UserDeps } from './user-deps.js';

/** Marks every notification of the caller read; returns how many were unread. */
export const markNotificationsRead = (deps: Pick<UserDeps, 'em'>, caller: { userId: string }) => markAllRead(deps.em(), caller.userId);
