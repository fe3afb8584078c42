import type { EntityManager } from '@mikro-orm/postgresql';
import { SETTING_OF, type NotificationDraft, type NotificationRecord } from '../domain/notifications.js';
import { SETTING_COLUMN } from './preference.repository.js';
import type { Page } from './follow.repository.js';

/**
 * Stores one notification per draft whose recipient's preferences allow it (no preference row: the default,
 * on). The (event, recipient) unique key makes a repeated insert a no-op.
 */
export async function insertNotifications(em: EntityManager, eventId: string, drafts: NotificationDraft[]): Promise<number> {
  let stored = 0;
  for (const d of drafts) {
    const column = SETTING_COLUMN[SETTING_OF[d.kind]];
    const rows = (await em.execute(
      `insert into notification (id, user_id, kind, actor_id, article_id, comment_id, reaction, event_id)
       select gen_random_uuid(), ?, ?, ?, ?, ?, ?, ?
       where coalesce((select ${column} from preference where user_id = ?), true)
       on conflict (event_id, user_id) do nothing
       returning id`,
      [d.recipientId, d.kind, d.actorId, d.articleId ?? null, d.commentId ?? null, d.reaction ?? null, eventId, d.recipientId],
    )) as unknown[];
    stored += rows.length;
  }
  return stored;
}

/**
 * New posts (each with its event) notify every follower of their authors who wants it: one statement, however many
 * posts and followers. The (event, recipient) unique key makes a repeated insert a no-op.
 */
export async function notifyFollowersOfNewPosts(em: EntityManager, posts: { eventId: string; authorId: string; articleId: string }[]): Promise<number> {
  const rows = (await em.execute(
    `insert into notification (id, user_id, kind, actor_id, article_id, event_id)
     select gen_random_uuid(), f.follower_id, 'new_post', f.followee_id, x.article_id, x.event_id
     from json_to_recordset(?::json) as x(event_id text, article_id text, author_id uuid)
     join follow f on f.followee_id = x.author_id
     left join preference p on p.user_id = f.follower_id
     where f.follower_id <> f.followee_id and coalesce(p.${SETTING_COLUMN.newPosts}, true)
     on conflict (event_id, user_id) do nothing
     returning id`,
    [JSON.stringify(posts.map((p) => ({ event_id: p.eventId, article_id: p.articleId, author_id: p.authorId })))],
  )) as unknown[];
  return rows.length;
}

/** What an article's publication caused in notifications: the followers' "new post" (removed on unpublish). */
export async function removeNewPostNotifications(em: EntityManager, articleId: string): Promise<void> {
  await em.execute(`delete from notification where article_id = ? and kind = 'new_post'`, [articleId]);
}

/** Every notification about an article (removed when it is deleted). */
export async function removeNotificationsAbout(em: EntityManager, articleId: string): Promise<void> {
  await em.execute(`delete from notification where article_id = ?`, [articleId]);
}

interface NotificationRow {
  id: string;
  kind: string;
  read_at: Date | null;
  created_at: Date;
  actor_username: string | null;
  actor_image: string | null;
  article_slug: string | null;
  article_title: string | null;
  comment_id: string | null;
  reaction: string | null;
  total?: string;
}

const toRecord = (r: NotificationRow): NotificationRecord => ({
  id: r.id,
  kind: r.kind,
  readAt: r.read_at,
  createdAt: r.created_at,
  actorUsername: r.actor_username,
  actorImage: r.actor_image,
  articleSlug: r.article_slug,
  articleTitle: r.article_title,
  commentId: r.comment_id,
  reaction: r.reaction,
});

const SELECT = `select n.id, n.kind, n.read_at, n.created_at, a.username as actor_username, a.image as actor_image,
  art.slug as article_slug, art.title as article_title, n.comment_id, n.reaction`;
/**
 * A notification is shown when it is about no article (a new follower) or about one that is public now, with the
 * article's current slug and title; one about a draft, an unpublished, archived or deleted article is not.
 */
const FROM = `from notification n left join profile a on a.id = n.actor_id left join article art on art.article_id = n.article_id`;
const VISIBLE = `(n.article_id is null or art.status = 'published')`;

/** A page of the user's notifications, newest first (optionally unread only). */
export async function listNotifications(
  em: EntityManager,
  userId: string,
  page: { limit: number; offset: number; unreadOnly: boolean },
): Promise<Page<NotificationRecord>> {
  const unread = page.unreadOnly ? 'and n.read_at is null' : '';
  const rows = (await em.execute(
    `${SELECT}, count(*) over () as total ${FROM}
     where n.user_id = ? and ${VISIBLE} ${unread} order by n.created_at desc, n.id desc limit ? offset ?`,
    [userId, page.limit, page.offset],
  )) as NotificationRow[];
  let total = rows[0] ? Number(rows[0].total) : 0;
  if (!rows[0] && page.offset > 0) {
    const [c] = (await em.execute(`select count(*) as n ${FROM} where n.user_id = ? and ${VISIBLE} ${unread}`, [userId])) as { n: string }[];
    total = Number(c?.n ?? 0);
  }
  return { items: rows.map(toRecord), total };
}

export async function countUnread(em: EntityManager, userId: string): Promise<number> {
  const [row] = (await em.execute(
    `select count(*) as n from notification n left join article art on art.article_id = n.article_id
     where n.user_id = ? and n.read_at is null and ${VISIBLE}`,
    [userId],
  )) as { n: string }[];
  return Number(row?.n ?? 0);
}

/** Marks one of the user's shown notifications read (keeping the first read time); undefined when it is not theirs or not shown. */
export async function markRead(em: EntityManager, userId: string, id: string): Promise<NotificationRecord | undefined> {
  const rows = (await em.execute(
    `with updated as (
       update notification n set read_at = coalesce(n.read_at, now())
       where n.id = ? and n.user_id = ?
         and (n.article_id is null or exists(select 1 from article art where art.article_id = n.article_id and art.status = 'published'))
       returning n.*
     )
     ${SELECT} from updated n left join profile a on a.id = n.actor_id left join article art on art.article_id = n.article_id`,
    [id, userId],
  )) as NotificationRow[];
  return rows[0] ? toRecord(rows[0]) : undefined;
}

/** Marks every unread notification the user is shown read; returns how many changed. */
export async function markAllRead(em: EntityManager, userId: string): Promise<number> {
  const rows = (await em.execute(
    `update notification n set read_at = now() where n.user_id = ? and n.read_at is null
       and (n.article_id is null or exists(select 1 from article art where art.article_id = n.article_id and art.status = 'published'))
     returning n.id`,
    [userId],
  )) as unknown[];
  return rows.length;
}
