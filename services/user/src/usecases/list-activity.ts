import { listActivity as listActivityPage } from '../db/activity.repository.js';
import { getProfile } from './get-profile.js';
import type { UserDeps } from './user-deps.js';

/** One page of what `username` published, commented and reacted to, newest first. */
export async function listActivity(deps: Pick<UserDeps, 'em'>, username: string, page: { limit: number; offset: number }) {
  const owner = await getProfile(deps, { username });
  return listActivityPage(deps.em(), owner.id, page);
}
