import { publishDueArticles } from '../db/article.repository.js';
import type { BlogDeps } from './blog-deps.js';

/**
 * Publishes one batch of scheduled articles whose time has come (ADR 5): claims due rows with FOR UPDATE SKIP
 * LOCKED, publishes them and writes post.published to the outbox in the same transaction, so replicas never
 * publish a post twice and a restart loses nothing (the state is the table). Returns how many went live; the public
 * pages are emptied after the commit when any did.
 */
export async function publishDuePosts(deps: Pick<BlogDeps, 'uow' | 'publicPages'>, batchSize: number): Promise<number> {
  const published = await deps.uow.run(async (tx, events) => {
    const due = await publishDueArticles(tx, batchSize);
    for (const a of due) {
      events.emit('post.published', {
        articleId: a.id,
        slug: a.slug,
        title: a.title,
        authorId: a.authorId,
        publishedAt: new Date(a.publishedAt).toISOString(),
        version: a.version,
      });
    }
    return due.length;
  });
  // Newly public articles: the anonymous readers' pages are stale now (a request's write empties them in app.ts).
  if (published > 0) deps.publicPages.invalidate();
  return published;
}
