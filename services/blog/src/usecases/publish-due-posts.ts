import { publishDueArticles } from '../db/article.repository.js';
import type { BlogDeps } from './blog-deps.js';

/**
 * Publishes one batch of scheduled articles whose time has come (ADR 5): claims due rows with FOR UPDATE SKIP
 * LOCKED, publishes them and writes post.published to the outbox in the same transaction, so replicas never
 * publish a post twice and a restart loses nothing (the state is the table). Returns how many went live.
 */
export function publishDuePosts(deps: Pick<BlogDeps, 'uow'>, batchSize: number): Promise<number> {
  return deps.uow.run(async (tx, events) => {
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
}
