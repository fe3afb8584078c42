import { listFollowingIds } from '../db/follow.repository.js';
import { onlyUuids } from '../db/profile.repository.js';
import type { UserDeps } from './user-deps.js';

/** The ids of the accounts `userId` follows, oldest follow first (none for an id that cannot be an account's). */
export async function listFollowing(deps: Pick<UserDeps, 'em'>, userId: string): Promise<string[]> {
  if (onlyUuids([userId]).length === 0) return [];
  return listFollowingIds(deps.em(), userId);
}
