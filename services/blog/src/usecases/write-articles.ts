import { createHash } from 'node:crypto';
import { conflict, validationError } from '@vcd/errors';
import type { EventSink } from '@vcd/messaging';
import {
  claimFirstFreeSlug,
  deleteArticleRow,
  insertArticle,
  lockArticle,
  newArticleId,
  setArticleTags,
  updateArticle as updateArticleRow,
  type ArticleChanges,
} from '../db/article.repository.js';
import { findCategoryBySlug } from '../db/category.repository.js';
import { claimIdempotencyKey, type IdempotencyRecord } from '../db/idempotency.repository.js';
import { assertCanManage, type Viewer } from '../domain/access.js';
import type { ArticleView } from '../domain/article-view.js';
import { normalizeTags } from '../domain/article-view.js';
import { slugCandidates, slugify } from '../domain/slug.js';
import { applyAction, changeForUpdate, initialState, type ArticleStatus, type WorkflowAction } from '../domain/workflow.js';
import { articleNotFound, type BlogDeps } from './blog-deps.js';
import { getArticleById, readArticle } from './read-articles.js';

export interface ArticleInput {
  title: string;
  description: string;
  body: string;
  tagList?: string[];
  status?: ArticleStatus;
  publishAt?: Date | null;
  category?: string | null;
}

async function categoryIdOf(deps: BlogDeps, slug: string | null | undefined): Promise<number | null | undefined> {
  if (slug === undefined) return undefined;
  if (slug === null) return null;
  const category = await findCategoryBySlug(deps.em(), slug);
  if (!category) throw validationError({ category: ['does not exist'] });
  return category.id;
}

/** Ends a transaction without committing: the request repeats one that already created its article. */
class Replay {
  constructor(readonly record: IdempotencyRecord) {}
}

/**
 * Creates an article: a free slug from its title, its tags, and post.published in the same transaction when it
 * goes live. With an idempotency key, the key is claimed in that transaction too: a retry of the same request
 * (same author, key and content) answers the article the first one created and creates nothing; the same key
 * with other content is a conflict.
 */
export async function createArticle(
  deps: BlogDeps,
  author: Viewer,
  input: ArticleInput,
  idempotencyKey?: string,
): Promise<{ article: ArticleView; replayed: boolean }> {
  const now = deps.now();
  const state = initialState({ status: input.status, publishAt: input.publishAt }, now);
  const categoryId = (await categoryIdOf(deps, input.category)) ?? null;
  const id = newArticleId();
  const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
  try {
    await deps.uow.run(async (tx, events) => {
      if (idempotencyKey) {
        const earlier = await claimIdempotencyKey(tx, { ownerId: author.userId, key: idempotencyKey, operation: 'article.create', requestHash, resourceId: id });
        if (earlier) throw new Replay(earlier);
      }
      const slug = await claimFirstFreeSlug(tx, slugCandidates(input.title), id);
      await insertArticle(tx, { id, slug, title: input.title, description: input.description, body: input.body, authorId: author.userId, categoryId, ...state });
      await setArticleTags(tx, id, normalizeTags(input.tagList ?? []), { isNew: true });
      if (state.becamePublished) {
        events.emit('post.published', { articleId: id, slug, title: input.title, authorId: author.userId, publishedAt: now.toISOString(), version: 1 });
      }
    });
  } catch (err) {
    if (!(err instanceof Replay)) throw err;
    if (err.record.operation !== 'article.create' || err.record.requestHash !== requestHash) {
      throw conflict('BLOG.IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used for a different request', {
        subject: 'Idempotency-Key',
        reason: 'was already used for a different request',
      });
    }
    return { article: await getArticleById(deps, err.record.resourceId, author), replayed: true };
  }
  return { article: await getArticleById(deps, id, author), replayed: false };
}

/**
 * The event a workflow change is due, if any: post.published when the article goes live, post.unpublished when a
 * published article leaves that status (unpublish, archive). Moves between private statuses announce nothing.
 * `version` is the article's version after the change.
 */
function emitWorkflowEvent(
  events: EventSink,
  article: { id: string; slug: string; title: string; authorId: string; status: ArticleStatus; version: number },
  change: { status: ArticleStatus; becamePublished: boolean },
  now: Date,
): boolean {
  if (change.becamePublished) {
    events.emit('post.published', { articleId: article.id, slug: article.slug, title: article.title, authorId: article.authorId, publishedAt: now.toISOString(), version: article.version });
    return true;
  }
  if (article.status === 'published' && change.status !== 'published') {
    events.emit('post.unpublished', { articleId: article.id, authorId: article.authorId, unpublishedAt: now.toISOString(), version: article.version });
    return true;
  }
  return false;
}

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
    if (!locked) throw articleNotFound(slug);
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
  return getArticleById(deps, current.id, viewer);
}

/** publish / unpublish / schedule / archive, checked against the article's locked current state. */
export async function moveArticle(
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
    if (!locked) throw articleNotFound(slug);
    const change = applyAction(locked, action, now, publishAt);
    const version = (await updateArticleRow(tx, current.id, { workflow: change })) ?? locked.version + 1;
    emitWorkflowEvent(events, { ...locked, id: current.id, version }, change, now);
  });
  return getArticleById(deps, current.id, viewer);
}

/** Deletes an article with its comments, reactions and old slugs; post.deleted (by id only) in the same transaction. */
export async function deleteArticle(deps: BlogDeps, viewer: Viewer, slug: string): Promise<void> {
  const current = await readArticle(deps, slug, viewer);
  assertCanManage(current, viewer);
  await deps.uow.run(async (tx, events) => {
    const locked = await lockArticle(tx, current.id);
    if (!locked) throw articleNotFound(slug);
    await deleteArticleRow(tx, current.id);
    // The row is gone; its deletion is the version after its last.
    events.emit('post.deleted', { articleId: current.id, authorId: locked.authorId, version: locked.version + 1 });
  });
}
