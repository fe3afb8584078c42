import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * The user service's view of blog articles: which are public, under which slug and title. Activity entries and
 * notifications name articles by id and are listed only when their article is public here, with its current slug
 * and title. Blog events may arrive in any order (retries, one stream per topic), so each change carries its time
 * and an older change never overwrites a newer one; a deletion is final.
 */

/** post.published / post.updated: public under this slug and title, as of `at`. */
export const markArticlePublic = (em: EntityManager, a: { articleId: string; slug: string; title: string; at: string }): Promise<void> =>
  markArticlesPublic(em, [a]);

/** Many articles public in one statement, each as of its `at`; of several changes to one article, the newest counts. */
export async function markArticlesPublic(em: EntityManager, articles: { articleId: string; slug: string; title: string; at: string }[]): Promise<void> {
  const newest = new Map<string, (typeof articles)[number]>();
  for (const a of articles) {
    const known = newest.get(a.articleId);
    if (!known || Date.parse(known.at) <= Date.parse(a.at)) newest.set(a.articleId, a);
  }
  await em.execute(
    `insert into article (article_id, slug, title, status, changed_at)
     select x.article_id, x.slug, x.title, 'published', x.at from json_to_recordset(?::json) as x(article_id text, slug text, title text, at timestamptz)
     on conflict (article_id) do update set slug = excluded.slug, title = excluded.title, status = 'published', changed_at = excluded.changed_at
     where article.status <> 'deleted' and article.changed_at <= excluded.changed_at`,
    [JSON.stringify([...newest.values()].map((a) => ({ article_id: a.articleId, slug: a.slug, title: a.title, at: a.at })))],
  );
}

/**
 * post.unpublished: not public as of `at` (slug and title forgotten). True when this is the newest change of the
 * article (the caller then removes what the publication caused); false when a newer one is already known.
 */
export async function markArticleHidden(em: EntityManager, articleId: string, at: string): Promise<boolean> {
  const rows = (await em.execute(
    `insert into article (article_id, slug, title, status, changed_at) values (?, null, null, 'hidden', ?::timestamptz)
     on conflict (article_id) do update set slug = null, title = null, status = 'hidden', changed_at = excluded.changed_at
     where article.status <> 'deleted' and article.changed_at <= excluded.changed_at
     returning article_id`,
    [articleId, at],
  )) as unknown[];
  return rows.length === 1;
}

/** post.deleted: gone for good, whatever arrives about it later. */
export async function markArticleDeleted(em: EntityManager, articleId: string): Promise<void> {
  await em.execute(
    `insert into article (article_id, slug, title, status, changed_at) values (?, null, null, 'deleted', now())
     on conflict (article_id) do update set slug = null, title = null, status = 'deleted'`,
    [articleId],
  );
}
