import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventPayloads } from '@vcd/contracts';
import { enqueueEvent } from '@vcd/messaging';
import type { ProfileChanges } from '../domain/profile.js';

export interface ProfileRow {
  id: string;
  username: string;
  bio: string | null;
  image: string | null;
  following: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids that cannot be account ids are simply not found (and never reach a uuid cast). */
export const onlyUuids = (ids: string[]) => ids.filter((id) => UUID.test(id));

const SELECT_PROFILE = `select p.id, p.username, p.bio, p.image,
  (f.follower_id is not null) as following
  from profile p left join follow f on f.followee_id = p.id and f.follower_id = ?`;

/** A profile with `following` relative to the viewer (none: false). */
export async function findProfileByUsername(em: EntityManager, username: string, viewerId?: string): Promise<ProfileRow | undefined> {
  const rows = (await em.execute(`${SELECT_PROFILE} where p.username = ?`, [viewerOrNone(viewerId), username])) as ProfileRow[];
  return rows[0];
}

export async function findProfileById(em: EntityManager, id: string, viewerId?: string): Promise<ProfileRow | undefined> {
  if (onlyUuids([id]).length === 0) return undefined;
  const rows = (await em.execute(`${SELECT_PROFILE} where p.id = ?`, [viewerOrNone(viewerId), id])) as ProfileRow[];
  return rows[0];
}

/** Many profiles by id and/or username in one query, `following` relative to the viewer. */
export async function findProfiles(em: EntityManager, q: { ids: string[]; usernames: string[]; viewerId?: string }): Promise<ProfileRow[]> {
  const ids = onlyUuids(q.ids);
  if (ids.length === 0 && q.usernames.length === 0) return [];
  return (await em.execute(`${SELECT_PROFILE} where p.id = any(?::uuid[]) or p.username = any(?::text[])`, [
    viewerOrNone(q.viewerId),
    pgArray(ids),
    pgArray(q.usernames),
  ])) as ProfileRow[];
}

/** Creates the profile of a new account; a second call for the same account changes nothing. */
export async function createProfileOnce(em: EntityManager, userId: string, username: string): Promise<boolean> {
  const rows = (await em.execute(`insert into profile (id, username) values (?, ?) on conflict (id) do nothing returning id`, [
    userId,
    username,
  ])) as unknown[];
  return rows.length > 0;
}

/** The account's username changed: rename its profile (creating it when the registration is still on its way). */
export async function renameProfile(em: EntityManager, userId: string, username: string): Promise<ProfileRow | undefined> {
  const rows = (await em.execute(
    `insert into profile (id, username) values (?, ?)
     on conflict (id) do update set username = excluded.username, updated_at = now()
     where profile.username is distinct from excluded.username
     returning id, username, bio, image, false as following`,
    [userId, username],
  )) as ProfileRow[];
  return rows[0];
}

/** Applies bio/image changes; undefined when there is no such profile. */
export async function updateProfile(em: EntityManager, userId: string, changes: ProfileChanges): Promise<ProfileRow | undefined> {
  if (onlyUuids([userId]).length === 0) return undefined;
  const sets: string[] = ['updated_at = now()'];
  const params: unknown[] = [];
  if (changes.bio !== undefined) {
    sets.push('bio = ?');
    params.push(changes.bio);
  }
  if (changes.image !== undefined) {
    sets.push('image = ?');
    params.push(changes.image);
  }
  const rows = (await em.execute(`update profile set ${sets.join(', ')} where id = ? returning id, username, bio, image, false as following`, [
    ...params,
    userId,
  ])) as ProfileRow[];
  return rows[0];
}

// No viewer: a uuid nobody has, so the join finds nothing.
const NO_VIEWER = '00000000-0000-0000-0000-000000000000';
const viewerOrNone = (viewerId?: string) => (viewerId && onlyUuids([viewerId]).length ? viewerId : NO_VIEWER);

/** A Postgres array literal ({"a","b"}), so a list travels as one parameter. */
export const pgArray = (values: string[]) => `{${values.map((v) => `"${v.replace(/(["\\])/g, '\\$1')}"`).join(',')}}`;

const profileUpdated = (p: ProfileRow): EventPayloads['profile.updated'] => ({ userId: p.id, username: p.username, bio: p.bio, image: p.image });

/** Updates bio/image and writes profile.updated to the outbox in one transaction. */
export async function updateProfileWithEvent(em: EntityManager, userId: string, changes: ProfileChanges): Promise<ProfileRow | undefined> {
  return em.transactional(async (tx) => {
    const updated = await updateProfile(tx, userId, changes);
    if (updated) enqueueEvent(tx, 'profile.updated', profileUpdated(updated));
    return updated;
  });
}

/** Renames the profile (see renameProfile) and, when it changed, writes profile.updated in the same transaction. */
export async function renameProfileWithEvent(em: EntityManager, userId: string, username: string): Promise<boolean> {
  const renamed = await renameProfile(em, userId, username);
  if (renamed) enqueueEvent(em, 'profile.updated', profileUpdated(renamed));
  return !!renamed;
}
