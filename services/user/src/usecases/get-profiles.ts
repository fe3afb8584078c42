import { findProfiles } from '../db/profile.repository.js';
import type { UserDeps } from './user-deps.js';

/** Most profiles one call may ask for (a page of articles needs at most 100 authors). */
const MAX_PROFILES_PER_CALL = 500;

/** Many profiles by id and/or username in one query (duplicates asked once, at most MAX_PROFILES_PER_CALL of each), `following` relative to the viewer. */
export function getProfiles(deps: Pick<UserDeps, 'em'>, q: { userIds: string[]; usernames: string[]; viewerId?: string }) {
  const ids = [...new Set(q.userIds)].slice(0, MAX_PROFILES_PER_CALL);
  const usernames = [...new Set(q.usernames)].slice(0, MAX_PROFILES_PER_CALL);
  return findProfiles(deps.em(), { ids, usernames, viewerId: q.viewerId });
}
