import type { EntityManager } from '@mikro-orm/postgresql';
import type { ActivityDraft, ActivityRecord } from '../domain/activity.js';
import type { Page } from './follow.repository.js';

/** Records what a user did; the event id is unique, so a repeated event records nothing new. */
export const recordActivity = (em: EntityManager, eventId: string, a: ActivityDraft): Promise<void> => recordActivities(em, [{ eventId, draft: a }]);

/** Records many entries (each with its event) in one statement; an event already recorded records nothing new. */
export async function recordActivities(em: EntityManager, entries: { eventId: string; draft: ActivityDraft }[]): Promise<void> {
  await em.execute(
    `insert into activity (id, user_id, kind, article_id, comment_id, target_type, reaction, event_id, created_at)
     select gen_random_uuid(), x.user_id, x.kind, x.article_id, x.comment_id, x.target_type, x.reaction, x.event_id, coalesce(x.at, now())
     from json_to_recordset(?::json)
       as x(user_id uuid, kind text, article_id text, comment_id text, target_type text, reaction text, event_id text, at timestamptz)
     on conflict (event_id) do nothing`,
    [
      JSON.stringify(
        entries.map(({ eventId, draft: a }) => ({
          user_id: a.userId, kind: a.kind, article_id: a.articleId, comment_id: a.commentId ?? null, target_type: a.targetType ?? null,
          reaction: a.reaction ?? null, event_id: eventId, at: a.at ?? null,
        })),
      ),
    ],
  );
}

/** What an article's publication caused in activity: its author's "published" entry (removed on unpublish). */
export async function removePublishedActivity(em: EntityManager, articleId: string): Promise<void> {
  await em.execute(`delete from activity where article_id = ? and kind = 'published'`, [articleId]);
}

/** Every entry about an article (removed when it is deleted). */
export async function removeActivityAbout(em: EntityManager, articleId: string): Promise<void> {
  await em.execute(`delete from activity where article_id = ?`, [articleId]);
}

interface ActivityRow {
  kind: string;
  created_at: Date;
  article_slug: string;
  article_title: string | null;
  comment_id: string | null;
  target_type: string | null;
  reaction: string | null;
  total: string;
}

/** Only entries about articles that are public now, with their current slug and title. */
const VISIBLE = `from activity x join article a on a.article_id = x.article_id and a.status = 'published' where x.user_id = ?`;

export async function listActivity(em: EntityManager, userId: string, page: { limit: number; offset: number }): Promise<Page<ActivityRecord>> {
  const rows = (await em.execute(
    `select x.kind, x.created_at, a.slug as article_slug, a.title as article_title, x.comment_id, x.target_type, x.reaction,
       count(*) over () as total
     ${VISIBLE} order by x.created_at desc, x.id desc limit ? offset ?`,
    [userId, page.limit, page.offset],
  )) as ActivityRow[];
  let total = rows[0] ? Number(rows[0].total) : 0;
  if (!rows[0] && page.offset > 0) {
    const [c] = (await em.execute(`select count(*) as n ${VISIBLE}`, [userId])) as { n: string }[];
    total = Number(c?.n ?? 0);
  }
  return {
    items: rows.map((r) => ({
      kind: r.kind,
      createdAt: r.created_at,
      articleSlug: r.article_slug,
      articleTitle: r.article_title,
      commentId: r.comment_id,
      targetType: r.target_type,
      reaction: r.reaction,
    })),
    total,
  };
}
