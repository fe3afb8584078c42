import type { EntityManager } from '@mikro-orm/postgresql';
import type { ActivityDraft, ActivityRecord } from '../domain/activity.js';
import type { Page } from './follow.repository.js';

/** Records what a user did; the event id is unique, so a repeated event records nothing new. */
export async function recordActivity(em: EntityManager, eventId: string, a: ActivityDraft): Promise<void> {
  await em.execute(
    `insert into activity (id, user_id, kind, article_slug, article_title, comment_id, target_type, reaction, event_id, created_at)
     values (gen_random_uuid(), ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?::timestamptz, now()))
     on conflict (event_id) do nothing`,
    [a.userId, a.kind, a.articleSlug, a.articleTitle ?? null, a.commentId ?? null, a.targetType ?? null, a.reaction ?? null, eventId, a.at ?? null],
  );
}

interface ActivityRow {
  kind: string;
  created_at: Date;
  article_slug: string | null;
  article_title: string | null;
  comment_id: string | null;
  target_type: string | null;
  reaction: string | null;
  total: string;
}

export async function listActivity(em: EntityManager, userId: string, page: { limit: number; offset: number }): Promise<Page<ActivityRecord>> {
  const rows = (await em.execute(
    `select kind, created_at, article_slug, article_title, comment_id, target_type, reaction, count(*) over () as total
     from activity where user_id = ? order by created_at desc, id desc limit ? offset ?`,
    [userId, page.limit, page.offset],
  )) as ActivityRow[];
  let total = rows[0] ? Number(rows[0].total) : 0;
  if (!rows[0] && page.offset > 0) {
    const [c] = (await em.execute(`select count(*) as n from activity where user_id = ?`, [userId])) as { n: string }[];
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
