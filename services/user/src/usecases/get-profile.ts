import { findProfileById, findProfileByUsername, type ProfileRow } from '../db/profile.repository.js';
import { UserErrors } from '../domain/user-errors.js';
import type { UserDeps } from './user-deps.js';

/** A profile by username or by account id, with `following` relative to the viewer (none: false). */
export async function getProfile(deps: Pick<UserDeps, 'em'>, who: { username: string } | { userId: string }, viewerId?: string): Promise<ProfileRow> {
  if ('username' in who) {
    const profile = await findProfileByUsername(deps.em(), who.username, viewerId);
    if (!profile) throw UserErrors.profileNotFound(`No profile for ${who.username}`);
    return profile;
  }
  const profile = await findProfileById(deps.em(), who.userId, viewerId);
  if (!profile) throw UserErrors.profileNotFound();
  return profile;
}
