import type { EntityManager } from '@mikro-orm/postgresql';
import type { ProfileRow } from './profile.repository.js';

/** Records the follow; false when it already existed. */
export async function addFollow(em: EntityManager, followerId: string, followeeId: string): Promise<boolean> {
  const rows = (await em.execute(
    `insert into follow (follower_id, followee_id) values (?, ?) on conflict do nothing returning follower_id`,
    [followerId, followeeId],
  )) as unknown[];
  return rows.length > 0;
}

/** Removes the follow; false when there was none. */
export async function removeFollow(em: EntityManager, followerId: string, followeeId: string): Promise<boolean> {
  const rows = (await em.execute(`delete from follow where follower_id = ? and followee_id = ? returning follower_id`, [
    followerId,
    followeeId,
  ])) as unknown[];
  return rows.length > 0;
}

export async function listFollowingIds(em: EntityManager, userId: string): Promise<string[]> {
  const rows = (await em.execute(`select followee_id from follow where follower_id = ? order by created_at`, [userId])) as {
    followee_id: string;
  }[];
  return rows.map((r) => r.followee_id);
}

export interface Page<T> {
  items: T[];
  total: number;
}

/**
 * One page of the people who follow `userId` (side 'followers') or whom `userId` follows (side 'following'),
 * newest first, with `following` relative to the viewer; the total in the same query.
 */
export async function listFollowPage(
  em: EntityManager,
  side: 'followers' | 'following',
  userId: string,
  page: { limit: number; offset: number; viewerId?: string },
): Promise<Page<ProfileRow>> {
  const [mine, theirs] = side === 'followers' ? ['followee_id', 'follower_id'] : ['follower_id', 'followee_id'];
  const rows = (await em.execute(
    `select p.id, p.username, p.bio, p.image, (v.follower_id is not null) as following, count(*) over () as total
     from follow f
     join profile p on p.id = f.${theirs}
     left join follow v on v.followee_id = p.id and v.follower_id = ?
     where f.${mine} = ?
     order by f.created_at desc, p.id
     limit ? offset ?`,
    [page.viewerId ?? '00000000-0000-0000-0000-000000000000', userId, page.limit, page.offset],
  )) as (ProfileRow & { total: string })[];
  const total = rows[0] ? Number(rows[0].total) : page.offset > 0 ? await countFollows(em, mine, userId) : 0;
  return { items: rows.map(({ total: _t, ...p }) => p), total };
}

async function countFollows(em: EntityManager, column: string, userId: string): Promise<number> {
  const [row] = (await em.execute(`select count(*) as n from follow where ${column} = ?`, [userId])) as { n: string }[];
  return Number(row?.n ?? 0);
}
