/** An author as RealWorld shows it, relative to the viewer. */
export interface AuthorProfile {
  username: string;
  bio: string | null;
  image: string | null;
  following: boolean;
}

/** Profiles by user id (and the ids behind usernames), from the user service. */
export interface UserDirectory {
  /** One call: the profiles of `userIds` and of `usernames`, with `following` relative to `viewerId`. */
  profiles(request: { userIds: string[]; usernames?: string[]; viewerId?: string }): Promise<Map<string, AuthorProfile & { userId: string }>>;
  /** The ids of the users `userId` follows. */
  following(userId: string): Promise<string[]>;
}

/**
 * Whom a viewer follows, kept fresh by the user service's follow events (clients/followed-authors.ts): the
 * `following` flags of viewer-relative pages come from here, not from a call per page.
 */
export interface FollowGraph {
  of(viewerId: string): Promise<ReadonlySet<string>>;
  forget(viewerId: string): void;
}

/**
 * The author of an item. A profile the user service does not know yet (its user.registered event is still on
 * its way) falls back to what the caller's own identity says, or to a placeholder.
 */
export function authorFor(
  profiles: Map<string, AuthorProfile>,
  authorId: string,
  self?: { userId: string; username: string },
): AuthorProfile {
  const found = profiles.get(authorId);
  if (found) return { username: found.username, bio: found.bio ?? null, image: found.image ?? null, following: found.following };
  return { username: self && self.userId === authorId ? self.username : 'unknown', bio: null, image: null, following: false };
}

/** The id behind a username in a profiles map (usernames are unique). */
export const idOfUsername = (profiles: Map<string, { userId: string; username: string }>, username: string) =>
  [...profiles.values()].find((p) => p.username === username)?.userId;

/**
 * Profiles for the answer to a write that has already committed. The write happened (and its event is in the
 * outbox), so when the user service cannot answer, the author cards degrade to authorFor's fallback (the
 * writer's own username) instead of failing with a 5xx that invites a retry and a duplicate.
 */
export async function profilesAfterWrite(
  users: UserDirectory,
  request: { userIds: string[]; viewerId?: string },
): Promise<Map<string, AuthorProfile & { userId: string }>> {
  try {
    return await users.profiles(request);
  } catch {
    return new Map();
  }
}
