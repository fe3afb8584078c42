import { listFollowPage } from '../db/follow.repository.js';
import { getProfile } from './get-profile.js';
import type { UserDeps } from './user-deps.js';

/** One page of the people who follow `username` ('followers') or whom `username` follows ('following'). */
export async function listFollows(
  deps: Pick<UserDeps, 'em'>,
  side: 'followers' | 'following',
  username: string,
  page: { limit: number; offset: number; viewerId?: string },
) {
  const owner = await getProfile(deps, { username });
  return listFollowPage(deps.em(), side, owner.id, page);
}
