import { claimFirstFreeSlug, lockArticle, setArticleTags, updateArticle as updateArticleRow, type ArticleChanges } from '../db/article.repository.js';
import { assertCanManage, type Viewer } from '../domain/access.js';
import { normalizeTags, type ArticleView } from '../domain/article-view.js';
import { BlogErrors } from '../domain/blog-errors.js';
import { slugCandidates, slugify } from '../domain/slug.js';
import { changeForUpdate } from '../domain/workflow.js';
import { categoryIdOf, emitWorkflowEvent, type ArticleInput } from './article-writes.js';
import { articleAfterWrite, readArticle } from './article-views.js';
import type { BlogDeps } from './blog-deps.js';

/**
 * Edits an article (author or editor): a new title gives a new slug (the old ones keep resolving); `status` and
 * `publishAt` move it through the workflow. Events: post.published when it goes live, post.unpublished when it
 * stops being published, else post.updated when a live article changed (no event for a private one).
 */
export async function updateArticle(deps: BlogDeps, viewer: Viewer, slug: string, input: Partial<ArticleInput>): Promise<ArticleView> {
  const current = await readArticle(deps, slug, viewer);
  assertCanManage(current, viewer);
  const categoryId = await categoryIdOf(deps, input.category);
  const now = deps.now();
  await deps.uow.run(async (tx, events) => {
    const locked = await lockArticle(tx, current.id);
    if (!locked) throw BlogErrors.articleNotFound(slug);
    const changes: ArticleChanges = { title: input.title, description: input.description, body: input.body, categoryId, touch: true };
    if (input.title !== undefined && slugify(input.title) !== slugify(locked.title)) {
      changes.slug = await claimFirstFreeSlug(tx, slugCandidates(input.title), current.id);
    }
    const workflow = changeForUpdate(locked, { status: input.status, publishAt: input.publishAt }, now);
    if (workflow) changes.workflow = workflow;
    const version = (await updateArticleRow(tx, current.id, changes)) ?? locked.version + 1;
    if (input.tagList !== undefined) await setArticleTags(tx, current.id, normalizeTags(input.tagList));
    const after = { id: current.id, slug: changes.slug ?? locked.slug, title: input.title ?? locked.title, authorId: locked.authorId, status: locked.status, version };
    const announced = workflow ? emitWorkflowEvent(events, after, workflow, now) : false;
    if (!announced && (workflow?.status ?? locked.status) === 'published') {
      events.emit('post.updated', { articleId: after.id, slug: after.slug, title: after.title, authorId: after.authorId, updatedAt: now.toISOString(), version });
    }
  });
  return articleAfterWrite(deps, current.id, viewer);
}
