import { deleteArticleRow, lockArticle } from '../db/article.repository.js';
import { assertCanManage, type Viewer } from '../domain/access.js';
import { BlogErrors } from '../domain/blog-errors.js';
import { readArticle } from './article-views.js';
import type { BlogDeps } from './blog-deps.js';

/** Deletes an article with its comments, reactions and old slugs; post.deleted (by id only) in the same transaction. */
export async function deleteArticle(deps: BlogDeps, viewer: Viewer, slug: string): Promise<void> {
  const current = await readArticle(deps, slug, viewer);
  assertCanManage(current, viewer);
  await deps.uow.run(async (tx, events) => {
    const locked = await lockArticle(tx, current.id);
    if (!locked) throw BlogErrors.articleNotFound(slug);
    await deleteArticleRow(tx, current.id);
    // The row is gone; its deletion is the version after its last.
    events.emit('post.deleted', { articleId: current.id, authorId: locked.authorId, version: locked.version + 1 });
  });
}
