import type { EventPayloads } from '@vcd/contracts';
import { updateProfile as saveProfileChanges, type ProfileRow } from '../db/profile.repository.js';
import { normalizeProfileChanges, type ProfileChanges } from '../domain/profile.js';
import { UserErrors } from '../domain/user-errors.js';
import type { UserDeps } from './user-deps.js';

export const profileUpdated = (p: ProfileRow): EventPayloads['profile.updated'] => ({ userId: p.id, username: p.username, bio: p.bio, image: p.image });

/** Changes bio and image (PUT /api/user, through the gateway) and announces it (profile.updated). */
export async function updateProfile(deps: Pick<UserDeps, 'work'>, userId: string, changes: ProfileChanges): Promise<ProfileRow> {
  const profile = await deps.work.run(async (tx, events) => {
    const updated = await saveProfileChanges(tx, userId, normalizeProfileChanges(changes));
    if (updated) events.emit('profile.updated', profileUpdated(updated));
    return updated;
  });
  if (!profile) throw UserErrors.profileNotFound();
  return profile;
}
