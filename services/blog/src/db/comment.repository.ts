import { sql } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CommentRecord } from '../domain/article-view.js';
import { Comment } from './comment.entity.js';
import { toDate } from './pg-values.js';

type Row = Record<string, unknown>;

/** `?` #1 is the viewer's id (own reactions). */
const selectComment = `
  select c.id, c.article_id, c.author_id, c.parent_id, c.body, c.created_at, c.updated_at,
    (select coalesce(jsonb_object_agg(x.kind, x.n), '{}'::jsonb) from
      (select r.kind, count(*)::int as n from reaction r where r.comment_id = c.id group by r.kind) x) as reactions,
    array(select r.kind from reaction r where r.comment_id = c.id and r.user_id = ?) as my_reactions
  from comment c`;

const toRecord = (r: Row): CommentRecord => ({
  id: Number(r.id),
  articleId: r.article_id as string,
  authorId: r.author_id as string,
  parentId: r.parent_id === null || r.parent_id === undefined ? null : Number(r.parent_id),
  body: r.body as string,
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
  reactions: (r.reactions as Record<string, number>) ?? {},
  myReactions: (r.my_reactions as string[]) ?? [],
});

/** Comments of an article, oldest first (a reply always comes after its parent). */
export async function listComments(em: EntityManager, articleId: string, viewerId: string | null): Promise<CommentRecord[]> {
  const rows = await em.execute<Row[]>(`${selectComment} where c.article_id = ? order by c.id`, [viewerId, articleId]);
  return rows.map(toRecord);
}

export async function findComment(em: EntityManager, articleId: string, id: number, viewerId: string | null): Promise<CommentRecord | undefined> {
  const rows = await em.execute<Row[]>(`${selectComment} where c.article_id = ? and c.id = ?`, [viewerId, articleId, id]);
  return rows[0] ? toRecord(rows[0]) : undefined;
}

/** Adds a comment in the caller's transaction; the database stamps it and numbers it. */
export async function insertComment(
  em: EntityManager,
  c: { articleId: string; authorId: string; parentId: number | null; body: string },
): Promise<number> {
  const comment = em.create(Comment, { articleId: c.articleId, authorId: c.authorId, parentId: c.parentId, body: c.body });
  await em.flush();
  return comment.id;
}

export async function updateCommentBody(em: EntityManager, id: number, body: string): Promise<void> {
  await em.nativeUpdate(Comment, { id }, { body, updatedAt: sql.now() });
}

/** Deletes a comment; its replies and reactions go with it (foreign keys on delete cascade). */
export async function deleteCommentRow(em: EntityManager, id: number): Promise<void> {
  await em.nativeDelete(Comment, { id });
}
