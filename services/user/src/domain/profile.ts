/** A profile as RealWorld clients see it. */
export interface ProfileView {
  username: string;
  bio: string | null;
  image: string | null;
  following: boolean;
}

export interface ProfileRecord {
  id: string;
  username: string;
  bio?: string | null;
  image?: string | null;
}

export const toProfileView = (p: ProfileRecord, following: boolean): ProfileView => ({
  username: p.username,
  bio: p.bio ?? null,
  image: p.image ?? null,
  following,
});

/** The payload of `user.registered` as this service needs it; anything else is a permanently bad event. */
export function parseUserRegistered(data: unknown): { userId: string; username: string } | undefined {
  const d = data as { userId?: unknown; username?: unknown };
  if (typeof d?.userId !== 'string' || typeof d.username !== 'string' || !d.userId || !d.username) return undefined;
  return { userId: d.userId, username: d.username };
}
