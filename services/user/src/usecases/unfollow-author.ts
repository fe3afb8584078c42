import { removeFollow } from '../db/follow.repository.js';
import { getProfile } from './get-profile.js';
import type { UserDeps } from './user-deps.js';

/** The caller stops following the author named `username` (user.unfollowed, only when they did follow). */
export async function unfollowAuthor(deps: Pick<UserDeps, 'em' | 'work'>, caller: { userId: string }, username: string) {
  const profile = await getProfile(deps, { username }, caller.userId);
  await deps.work.run(async (tx, events) => {
    if (await removeFollow(tx, caller.userId, profile.id)) events.emit('user.unfollowed', { followerId: caller.userId, followeeId: profile.id });
  });
  return { ...profile, following: false };
}
