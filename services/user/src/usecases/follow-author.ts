import { addFollow } from '../db/follow.repository.js';
import { canFollow } from '../domain/profile.js';
import { UserErrors } from '../domain/user-errors.js';
import { getProfile } from './get-profile.js';
import type { UserDeps } from './user-deps.js';

/** The caller follows the author named `username` (user.followed, once: following again changes nothing). */
export async function followAuthor(deps: Pick<UserDeps, 'em' | 'work'>, caller: { userId: string }, username: string) {
  const profile = await getProfile(deps, { username }, caller.userId);
  if (!canFollow(caller.userId, profile.id)) throw UserErrors.cannotFollowSelf();
  await deps.work.run(async (tx, events) => {
    if (await addFollow(tx, caller.userId, profile.id)) events.emit('user.followed', { followerId: caller.userId, followeeId: profile.id });
  });
  return { ...profile, following: true };
}
