import type { EntityManager } from '@mikro-orm/postgresql';
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

/**
 * Creates the profile of a new account (at identity `version`, 0 when unknown); a second call for the same account
 * changes nothing (a rename that arrived first already holds a newer identity).
 */
export async function createProfileOnce(em: EntityManager, userId: string, username: string, version = 0): Promise<boolean> {
  const rows = (await em.execute(`insert into profile (id, username, identity_version) values (?, ?, ?) on conflict (id) do nothing returning id`, [
    userId,
    username,
    version,
  ])) as unknown[];
  return rows.length > 0;
}

/**
 * Stores the account's identity (its username) at `version`, creating the profile when it does not exist yet (a
 * rename may arrive before the registration). An existing profile takes it only when `version` is newer than the
 * one it holds, decided under the row's lock, so concurrent deliveries cannot put an older name back. Without a
 * version (events written before versions existed) it applies only to a profile that never got a versioned one.
 * Returns the profile when it was created (`created`) or its username changed, else undefined.
 */
export async function saveIdentityIfNewer(
  tx: EntityManager,
  userId: string,
  username: string,
  version: number | undefined,
): Promise<(ProfileRow & { created: boolean }) | undefined> {
  const rows = (await tx.execute(
    `with before as (select username from profile where id = ?)
     , saved as (
       insert into profile (id, username, identity_version) values (?, ?, ?)
       on conflict (id) do update set username = excluded.username, identity_version = excluded.identity_version,
         updated_at = case when profile.username is distinct from excluded.username then now() else profile.updated_at end
       where profile.identity_version < excluded.identity_version
          or (excluded.identity_version = 0 and profile.identity_version = 0 and profile.username is distinct from excluded.username)
       returning id, username, bio, image, false as following
     )
     select saved.*, before.username as before_username, (select count(*) from before) = 0 as created from saved left join before on true`,
    [userId, userId, username, version ?? 0],
  )) as (ProfileRow & { before_username: string | null; created: boolean })[];
  const row = rows[0];
  if (!row || (!row.created && row.before_username === row.username)) return undefined;
  const { before_username: _before, ...saved } = row;
  return saved;
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
const pgArray = (values: string[]) => `{${values.map((v) => `"${v.replace(/(["\\])/g, '\\$1')}"`).join(',')}}`;
