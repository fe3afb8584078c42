import { lockArticle, updateArticle as updateArticleRow } from '../db/article.repository.js';
import { assertCanManage, type Viewer } from '../domain/access.js';
import type { ArticleView } from '../domain/article-view.js';
import { BlogErrors } from '../domain/blog-errors.js';
import { applyAction, type WorkflowAction } from '../domain/workflow.js';
import { emitWorkflowEvent } from './article-writes.js';
import { articleAfterWrite, readArticle } from './article-views.js';
import type { BlogDeps } from './blog-deps.js';

/**
 * Moves an article through its workflow (publish, unpublish, schedule, archive; author or editor), checked against
 * its locked current state: post.published when it goes live, post.unpublished when it stops being published.
 */
export async function changeArticleStatus(
  deps: BlogDeps,
  viewer: Viewer,
  slug: string,
  action: WorkflowAction,
  publishAt?: Date | null,
): Promise<ArticleView> {
  const current = await readArticle(deps, slug, viewer);
  assertCanManage(current, viewer);
  const now = deps.now();
  await deps.uow.run(async (tx, events) => {
    const locked = await lockArticle(tx, current.id);
    if (!locked) throw BlogErrors.articleNotFound(slug);
    const change = applyAction(locked, action, now, publishAt);
    const version = (await updateArticleRow(tx, current.id, { workflow: change })) ?? locked.version + 1;
    emitWorkflowEvent(events, { ...locked, id: current.id, version }, change, now);
  });
  return articleAfterWrite(deps, current.id, viewer);
}
