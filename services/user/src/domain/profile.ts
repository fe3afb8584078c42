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

/** The editable part of a profile (PUT /api/user composes it); absent fields stay as they are. */
export interface ProfileChanges {
  bio?: string | null;
  image?: string | null;
}

/** RealWorld clients send "" to clear a field; we store that as null. */
export const normalizeProfileChanges = (c: ProfileChanges): ProfileChanges => ({
  ...(c.bio !== undefined ? { bio: c.bio === '' ? null : c.bio } : {}),
  ...(c.image !== undefined ? { image: c.image === '' ? null : c.image } : {}),
});

/** Nobody follows themselves. */
export const canFollow = (followerId: string, followeeId: string) => followerId !== followeeId;
